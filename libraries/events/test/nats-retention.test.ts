import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { waitUntil } from '@canaduck/testing';
import type { EventBackbone } from '../src/event-backbone';
import { natsStreamName } from '../src/nats-names';
import { natsTransport } from '../src/nats-transport';
import type { EventTransport } from '../src/types';
import { appendCommitted, ev, logger, NATS_URL, range, sleep, useNatsRelays } from './support';

/** The stream keeps events this long (max_age): short enough to watch them expire. */
const RETENTION_MS = 1500;

describe('NATS consumers whose cursor is older than the stream keeps', () => {
  const t = useNatsRelays('sqlite', { retentionMs: RETENTION_MS });
  const { namespace } = t;
  let b: EventBackbone;
  let transport: EventTransport;
  beforeEach(async () => {
    b = await t.start();
    transport = natsTransport({ url: NATS_URL, namespace, logger, idleMs: 200 });
  });
  afterEach(() => transport.close());

  const relay = async (from: number, to: number) => {
    await appendCommitted(
      t.db.knex,
      range(from, to).map((n) => ev(n)),
    );
    b.poke();
    await waitUntil(async () => (await b.store.meta()).relayedThrough === to, `events up to ${to} are relayed`);
  };
  /** Waits until max_age has taken every event up to `seq`. */
  const expired = (seq: number) =>
    waitUntil(
      async () => {
        const nc = await connect({ servers: NATS_URL });
        try {
          const { first_seq, messages } = (await (await jetstreamManager(nc)).streams.info(natsStreamName('message', namespace))).state;
          return messages === 0 || first_seq > seq;
        } finally {
          await nc.close();
        }
      },
      `events up to ${seq} expire`,
      RETENTION_MS * 4,
    );
  const follow = (o: { after: number; durableName?: string }) => {
    const seen: number[] = [];
    const resyncs: number[] = [];
    const sub = transport.subscribe({
      service: 'message',
      ...o,
      handler: async (events) => void seen.push(...events.map((e) => e.seq)),
      onResync: ({ firstAvailable }) => void resyncs.push(firstAvailable),
    });
    return { seen, resyncs, sub };
  };

  /** A durable consumer handles `count` events, then goes away. */
  const handledThenAway = async (durableName: string, count: number) => {
    const f = follow({ after: 0, durableName });
    await waitUntil(() => f.seen.length === count, `the first ${count} are handled`);
    await f.sub.stop();
    return f;
  };
  /** The durable consumer comes back and is followed until it handled `count` events. */
  const comesBack = async (durableName: string, count: number) => {
    const f = follow({ after: 0, durableName });
    await waitUntil(() => f.seen.length >= count, 'the events after it are delivered', 5000);
    await sleep(200);
    await f.sub.stop();
    return f;
  };

  it('when an ordered consumer starts at a seq max_age has pruned, then it is told to resync and goes on from the first kept seq', async () => {
    await relay(1, 3);
    await expired(3);
    await relay(4, 5);
    const { seen, resyncs, sub } = follow({ after: 1 });
    await waitUntil(() => seen.length >= 2, 'the kept events are delivered', 5000);
    await sleep(200);
    await sub.stop();
    expect(resyncs).toEqual([4]);
    expect(seen).toEqual([4, 5]);
  });

  it('when a durable consumer comes back after max_age pruned events it never acked, then it is told to resync, once', async () => {
    const durableName = `keeper${namespace}`;
    await relay(1, 2);
    const first = await handledThenAway(durableName, 2);
    await relay(3, 4);
    await expired(4);
    await relay(5, 6);
    const second = await comesBack(durableName, 2);
    expect(first.seen).toEqual([1, 2]);
    expect(first.resyncs).toEqual([]);
    expect(second.resyncs).toEqual([5]);
    expect(second.seen).toEqual([5, 6]);
  });

  it('when a durable consumer comes back after max_age pruned only what it had acked, then it goes on without a resync', async () => {
    const durableName = `caught${namespace}`;
    await relay(1, 2);
    await handledThenAway(durableName, 2);
    await expired(2);
    await relay(3, 4);
    const second = await comesBack(durableName, 2);
    expect(second.resyncs).toEqual([]);
    expect(second.seen).toEqual([3, 4]);
  });
});
