import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { waitUntil } from '@canaduck/testing';
import { natsStreamName } from '../src/nats-names';
import { appendCommitted, backbone, dbKinds, deleteStreams, ev, NATS_URL, range, useNatsRelays } from './support';

describe.each(dbKinds)('NATS relay on %s', (kind) => {
  const t = useNatsRelays(kind);
  const { namespace, start } = t;
  const stream = natsStreamName('message', namespace);

  async function streamMessages(): Promise<Array<{ seq: number; msgId: string | undefined; body: { seq: number; type: string } }>> {
    const nc = await connect({ servers: NATS_URL });
    try {
      const jsm = await jetstreamManager(nc);
      const info = await jsm.streams.info(stream);
      const out = [];
      for (let s = info.state.first_seq; s <= info.state.last_seq; s++) {
        const m = await jsm.streams.getMessage(stream, { seq: s });
        out.push({ seq: m!.seq, msgId: m!.header?.get('Nats-Msg-Id'), body: m!.json<{ seq: number; type: string }>() });
      }
      return out;
    } finally {
      await nc.close();
    }
  }

  it('when events are sequenced, then the leader publishes them with stream seq == event seq and Nats-Msg-Id service:seq', async () => {
    const b = await start();
    await appendCommitted(t.db.knex, [ev(1), ev(2, 'message.deleted')]);
    b.poke();
    await waitUntil(async () => (await b.store.meta()).relayedThrough === 2, 'two events are relayed');
    const msgs = await streamMessages();
    expect(msgs.map((m) => [m.seq, m.msgId, m.body.seq, m.body.type])).toEqual([
      [1, 'message:1', 1, 'message.created'],
      [2, 'message:2', 2, 'message.deleted'],
    ]);
  });

  it('when the relay restarts before it saved its cursor, then what it republishes is dropped as duplicates', async () => {
    const first = await start();
    await appendCommitted(t.db.knex, [ev(1), ev(2), ev(3)]);
    first.poke();
    await waitUntil(async () => (await first.store.meta()).relayedThrough === 3, 'three events are relayed');
    await first.stop();
    t.backbones.splice(0);
    // A crash between publishing and saving the cursor.
    await first.store.setRelayedThrough(1);
    const second = await start();
    await appendCommitted(t.db.knex, [ev(4)]);
    second.poke();
    await waitUntil(async () => (await second.store.meta()).relayedThrough === 4, 'the new event is relayed');
    expect(second.natsRelay!.duplicates).toBe(2);
    expect(second.natsRelay!.published).toBe(1);
    expect((await streamMessages()).map((m) => m.seq)).toEqual(range(1, 4));
  });

  it('when NATS cannot be reached at start, then the service still starts and sequences, and the relay waits', async () => {
    const b = backbone(t.db.knex, { natsUrl: 'nats://127.0.0.1:1', natsNamespace: namespace });
    t.backbones.push(b);
    await expect(b.start()).resolves.toBeUndefined();
    await appendCommitted(t.db.knex, [ev(1)]);
    b.poke();
    await waitUntil(async () => (await b.head()) === 1, 'the event is sequenced');
    expect((await b.store.meta()).relayedThrough).toBe(0);
  });

  if (kind === 'mysql') {
    it('when the leader replica dies midway, then the other one relays the rest and the stream holds every seq once', async () => {
      const [a, c] = [await start(), await start()];
      await waitUntil(() => a.isLeader || c.isLeader, 'a leader is elected');
      const [leader, other] = a.isLeader ? [a, c] : [c, a];
      await appendCommitted(t.db.knex, [ev(1), ev(2), ev(3)]);
      leader.poke();
      await waitUntil(async () => (await leader.store.meta()).relayedThrough === 3, 'the first events are relayed');
      await t.db.knex.raw(`KILL ${Number(await leader.leaderConnectionId())}`);
      await leader.stop();
      await waitUntil(() => other.isLeader, 'the other replica leads', 5000);
      await appendCommitted(t.db.knex, [ev(4), ev(5)]);
      other.poke();
      await waitUntil(async () => (await other.store.meta()).relayedThrough === 5, 'the rest is relayed', 5000);
      expect((await streamMessages()).map((m) => [m.seq, m.msgId])).toEqual(range(1, 5).map((n) => [n, `message:${n}`]));
    });
  }

  it('when the stream was lost, then the relay refills it from the oldest retained event with the same seqs', async () => {
    await t.relayedThenStopped([ev(1), ev(2)], 2);
    await deleteStreams(namespace);
    const second = await start();
    await appendCommitted(t.db.knex, [ev(3)]);
    second.poke();
    await waitUntil(async () => (await second.store.meta()).relayedThrough === 3, 'the stream is refilled', 8000);
    expect((await streamMessages()).map((m) => [m.seq, m.body.seq])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
  });
});
