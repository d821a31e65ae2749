import { waitUntil, type TestDatabase } from '@canaduck/testing';
import type { EventBackbone } from '../src/event-backbone';
import { natsStreamName } from '../src/nats-names';
import { natsTransport } from '../src/nats-transport';
import type { EventTransport } from '../src/types';
import { lateDeliveryProxy, type LateDeliveryProxy } from './late-delivery-proxy';
import { appendCommitted, backbone, deleteStreams, ev, eventsDatabase, logger, NATS_URL, natsNamespace, range, sleep } from './support';

/**
 * A durable consumer whose handler fails once on seq 5: 5 is nak'd and redelivered, while seq 6
 * (sent by the server before the nak) reaches the consumer after the nak. Seen once in CI as
 * 1,2,3,4,6,5; lateDeliveryProxy plays that race every time.
 */
describe('NATS durable consumer order after a failed handler', () => {
  let namespace: string;
  let db: TestDatabase;
  let b: EventBackbone;
  let proxy: LateDeliveryProxy | undefined;
  let transport: EventTransport | undefined;

  beforeEach(async () => {
    namespace = natsNamespace();
    db = await eventsDatabase('sqlite');
    b = backbone(db.knex, { natsUrl: NATS_URL, natsNamespace: namespace });
    await b.start();
  });
  afterEach(async () => {
    await transport?.close();
    await proxy?.close();
    await b.stop();
    await db.destroy();
    await deleteStreams(namespace);
  });

  async function relay(from: number, to: number): Promise<void> {
    await appendCommitted(
      db.knex,
      range(from, to).map((n) => ev(n)),
    );
    b.poke();
    await waitUntil(async () => (await b.store.meta()).relayedThrough === to, `events up to ${to} are relayed`);
  }

  /** Handles 1-4, then 5 and 6 with the handler failing once on 5 and 6 arriving late. */
  async function failOnceOnFiveWithSixLate(redeliverAfterLookup: boolean) {
    proxy = await lateDeliveryProxy({ natsUrl: NATS_URL, stream: natsStreamName('message', namespace), seq: 6, redeliverAfterLookup });
    transport = natsTransport({ url: proxy.url, namespace, logger, idleMs: 300 });
    const handled: number[] = [];
    const failedOn: number[][] = [];
    await relay(1, 4);
    const sub = transport.subscribe({
      service: 'message',
      after: 0,
      batchSize: 10,
      durableName: `order-${namespace}`,
      handler: async (events) => {
        const seqs = events.map((e) => e.seq);
        if (failedOn.length === 0 && seqs.includes(5)) {
          failedOn.push(seqs);
          throw new Error('handler failed once on seq 5');
        }
        handled.push(...seqs);
      },
    });
    await waitUntil(() => handled.includes(4), 'the first four are handled', 10_000);
    await relay(5, 6);
    await waitUntil(() => handled.includes(6), 'seq 6 is handled', 10_000);
    // Long enough for a stray redelivery (a doubled or late seq) to show.
    await sleep(500);
    await sub.stop();
    return { handled, failedOn, played: proxy.played };
  }

  it('when seq 6 arrives after the nak of 5 and the redelivery of 5 right behind it, then each is handled once, in seq order', async () => {
    const { handled, failedOn, played } = await failOnceOnFiveWithSixLate(false);
    expect(played).toBe(true);
    expect(failedOn).toEqual([[5]]);
    expect(handled).toEqual(range(1, 6));
  });

  it('when the consumer meets seq 6 before the redelivery of 5 has come, then 6 waits for 5 and nothing is lost', async () => {
    const { handled, failedOn, played } = await failOnceOnFiveWithSixLate(true);
    expect(played).toBe(true);
    expect(failedOn).toEqual([[5]]);
    expect(handled).toEqual(range(1, 6));
  });
});
