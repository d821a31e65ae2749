import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { waitUntil } from '@canaduck/testing';
import type { EventBackbone } from '../src/event-backbone';
import { natsScrubStreamName, natsStreamName } from '../src/nats-names';
import { natsTransport } from '../src/nats-transport';
import { Outbox } from '../src/outbox';
import type { StreamEvent } from '../src/types';
import { appendCommitted, dbKinds, ev, logger, NATS_URL, range, sleep, useNatsRelays } from './support';

interface Stored {
  seq: number;
  raw: string;
}

describe.each(dbKinds)('scrubs reaching NATS JetStream on %s', (kind) => {
  const t = useNatsRelays(kind);
  const { namespace, start } = t;
  const edited = (n: number) => ({ type: 'message.edited', data: { id: n, text: `edited ${n}` }, subject: `message:${n}` });
  /** What message-service does on a delete: scrub the text and append message.deleted, in one transaction. */
  const deleteMessage = async (n: number) => {
    const outbox = new Outbox({ knex: t.db.knex, service: 'message' });
    await t.db.knex.transaction(async (trx) => {
      await outbox.scrub(trx, `message:${n}`, (d) => ({ ...(d as object), text: '' }));
      await outbox.append(trx, [{ type: 'message.deleted', data: { id: n }, subject: `message:${n}` }]);
    });
  };
  const pendingScrubs = async () => Number(((await t.db.knex('outbox_scrubs').count({ n: '*' }).first()) as { n: number | string }).n);
  const settled = (b: EventBackbone, head: number) =>
    waitUntil(
      async () => (await b.store.meta()).relayedThrough === head && (await pendingScrubs()) === 0,
      `relayed through ${head} with every scrub done`,
      8000,
    );

  /** Every message each stream holds, read directly from the server. */
  async function stored(): Promise<{ events: Stored[]; scrubbed: Stored[] }> {
    const nc = await connect({ servers: NATS_URL });
    try {
      const jsm = await jetstreamManager(nc);
      const read = async (name: string) => {
        const { first_seq, last_seq } = (await jsm.streams.info(name)).state;
        const out: Stored[] = [];
        for (let seq = first_seq; seq <= last_seq && seq > 0; seq++) {
          const m = await jsm.streams.getMessage(name, { seq });
          if (m) out.push({ seq: m.seq, raw: m.string() });
        }
        return out;
      };
      return { events: await read(natsStreamName('message', namespace)), scrubbed: await read(natsScrubStreamName('message', namespace)) };
    } finally {
      await nc.close();
    }
  }

  /** Reads the stream from `after` through a fresh consumer until `upTo`, counting each seq it sees. */
  async function consume(after: number, upTo: number, durableName?: string): Promise<StreamEvent[]> {
    const transport = natsTransport({ url: NATS_URL, namespace, logger, idleMs: 200 });
    const seen: StreamEvent[] = [];
    const resyncs: number[] = [];
    const sub = transport.subscribe({
      service: 'message',
      after,
      durableName,
      handler: async (events) => void seen.push(...events),
      onResync: ({ firstAvailable }) => void resyncs.push(firstAvailable),
    });
    try {
      await waitUntil(() => seen.some((e) => e.seq >= upTo), `the consumer reaches ${upTo}`, 10_000);
      await sleep(300);
    } finally {
      await sub.stop();
      await transport.close();
    }
    expect(resyncs).toEqual([]);
    return seen;
  }

  it('when a relayed message is deleted, then no JetStream copy holds its text and consumers from 0 still see every seq once', async () => {
    const b = await start();
    await appendCommitted(t.db.knex, [ev(1), ev(2), edited(2), ev(3)]);
    b.poke();
    await waitUntil(async () => (await b.store.meta()).relayedThrough === 4, 'four events are relayed');
    await deleteMessage(2);
    b.poke();
    await settled(b, 5);
    expect(b.natsRelay!.scrubbed).toBe(2);

    const { events, scrubbed } = await stored();
    expect(events.map((m) => m.seq)).toEqual([1, 4, 5]);
    expect(scrubbed.map((m) => JSON.parse(m.raw) as StreamEvent).map((e) => [e.seq, e.type, e.data])).toEqual([
      [2, 'message.created', { id: 2, text: '' }],
      [3, 'message.edited', { id: 2, text: '' }],
    ]);
    for (const m of [...events, ...scrubbed]) expect(m.raw).not.toMatch(/text 2|edited 2/);

    for (const durable of [undefined, `scrub${namespace}`]) {
      const seen = await consume(0, 5, durable);
      expect(seen.map((e) => e.seq)).toEqual(range(1, 5));
      expect(seen.map((e) => [e.type, e.data])).toEqual([
        ['message.created', { id: 1, text: 'text 1' }],
        ['message.created', { id: 2, text: '' }],
        ['message.edited', { id: 2, text: '' }],
        ['message.created', { id: 3, text: 'text 3' }],
        ['message.deleted', { id: 2 }],
      ]);
    }
    // Resuming right after a scrubbed seq: the next one is scrubbed too, then the stream goes on.
    expect((await consume(2, 5)).map((e) => [e.seq, e.data])).toEqual([
      [3, { id: 2, text: '' }],
      [4, { id: 3, text: 'text 3' }],
      [5, { id: 2 }],
    ]);
  });

  it('when the first events of the stream are scrubbed, then a consumer from 0 gets their scrubbed copies first, never a resync', async () => {
    const b = await start();
    await appendCommitted(t.db.knex, [ev(1), edited(1), ev(2)]);
    b.poke();
    await waitUntil(async () => (await b.store.meta()).relayedThrough === 3, 'three events are relayed');
    await deleteMessage(1);
    b.poke();
    await settled(b, 4);
    expect((await stored()).events.map((m) => m.seq)).toEqual([3, 4]);
    const seen = await consume(0, 4);
    expect(seen.map((e) => [e.seq, e.type, e.data])).toEqual([
      [1, 'message.created', { id: 1, text: '' }],
      [2, 'message.edited', { id: 1, text: '' }],
      [3, 'message.created', { id: 2, text: 'text 2' }],
      [4, 'message.deleted', { id: 1 }],
    ]);
  });

  it('when NATS cannot be reached at the delete, then the scrub waits in outbox_scrubs and is done once a relay reaches NATS', async () => {
    await t.relayedThenStopped([ev(1), ev(2)], 2);

    const cutOff = await start('nats://127.0.0.1:1');
    await deleteMessage(1);
    cutOff.poke();
    await waitUntil(async () => (await cutOff.head()) === 3, 'the delete is sequenced');
    await sleep(200);
    expect(await pendingScrubs()).toBe(1);
    expect((await stored()).events.map((m) => [m.seq, m.raw.includes('text 1')])).toEqual([
      [1, true],
      [2, false],
    ]);
    await cutOff.stop();
    t.backbones.splice(0);

    const back = await start();
    await settled(back, 3);
    const { events, scrubbed } = await stored();
    expect(events.map((m) => m.seq)).toEqual([2, 3]);
    expect(scrubbed.map((m) => JSON.parse(m.raw) as StreamEvent).map((e) => [e.seq, e.data])).toEqual([[1, { id: 1, text: '' }]]);
  });

  it('when a message is created and deleted before the relay saw it, then no copy ever holds its text and consumers see every seq once', async () => {
    await t.relayedThenStopped([ev(1)], 1);
    await appendCommitted(t.db.knex, [ev(2)]);
    await deleteMessage(2);
    const again = await start();
    await settled(again, 3);
    const { events, scrubbed } = await stored();
    for (const m of [...events, ...scrubbed]) expect(m.raw).not.toContain('text 2');
    expect((await consume(0, 3)).map((e) => [e.seq, e.data])).toEqual([
      [1, { id: 1, text: 'text 1' }],
      [2, { id: 2, text: '' }],
      [3, { id: 2 }],
    ]);
  });
});
