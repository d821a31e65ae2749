import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { errorMiddleware } from '@canaduck/errors';
import { serviceToken, waitUntil, type TestDatabase, testFeedAccess } from '@canaduck/testing';
import type { EventBackbone } from '../src/event-backbone';
import { eventFeedRoutes } from '../src/feed-routes';
import { httpFeedTransport } from '../src/http-transport';
import { natsStreamName } from '../src/nats-names';
import { natsTransport } from '../src/nats-transport';
import { Outbox } from '../src/outbox';
import type { EventTransport, StreamEvent } from '../src/types';
import {
  appendCommitted,
  backbone,
  dbKinds,
  deleteStreams,
  ev,
  eventsDatabase,
  logger,
  NATS_URL,
  natsNamespace,
  range,
  sleep,
} from './support';

const matrix = dbKinds.flatMap((kind) => (['http', 'nats'] as const).map((t) => [kind, t] as const));

describe.each(matrix)('event transport on %s over %s', (kind, transportKind) => {
  const namespace = natsNamespace();
  let db: TestDatabase;
  let b: EventBackbone;
  let server: http.Server;
  let transport: EventTransport;
  let clock: number;

  beforeEach(async () => {
    clock = Date.now();
    db = await eventsDatabase(kind);
    b = backbone(db.knex, {
      now: () => clock,
      retentionMs: 3_600_000,
      ...(transportKind === 'nats' ? { natsUrl: NATS_URL, natsNamespace: namespace } : {}),
    });
    await b.start();
    const app = express();
    app.use(eventFeedRoutes(b, testFeedAccess(`${b.service}-service`)));
    app.use(errorMiddleware());
    server = http.createServer(app).listen(0);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    transport =
      transportKind === 'http'
        ? httpFeedTransport({
            urls: { message: url },
            serviceTokens: { get: (callee) => serviceToken('stats-service', callee) },
            logger,
            waitSeconds: 1,
          })
        : natsTransport({ url: NATS_URL, namespace, logger, idleMs: 300 });
  });
  afterEach(async () => {
    await transport.close();
    await b.stop();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await db.destroy();
    await deleteStreams(namespace);
  });

  async function writeAndRelay(from: number, to: number): Promise<void> {
    for (let i = from; i <= to; i += 5)
      await appendCommitted(
        db.knex,
        range(i, Math.min(i + 4, to)).map((n) => ev(n)),
      );
    b.poke();
    await waitUntil(
      async () => (await b.head()) === to && (transportKind === 'http' || (await b.store.meta()).relayedThrough === to),
      `events up to ${to} are out`,
    );
  }

  it('when a consumer subscribes, then it gets every event once, in seq order, one batch at a time', async () => {
    await writeAndRelay(1, 30);
    const seen: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    let maxBatch = 0;
    const sub = transport.subscribe({
      service: 'message',
      after: 0,
      batchSize: 7,
      handler: async (events) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        maxBatch = Math.max(maxBatch, events.length);
        await sleep(20);
        seen.push(...events.map((e) => e.seq));
        inFlight--;
      },
    });
    await waitUntil(() => seen.length >= 30, 'thirty events are delivered', 10_000);
    await writeAndRelay(31, 33);
    await waitUntil(() => seen.length >= 33, 'live events are delivered', 10_000);
    await sub.stop();
    expect(seen).toEqual(range(1, 33));
    expect(maxInFlight).toBe(1);
    expect(maxBatch).toBeLessThanOrEqual(7);
  });

  it('when a consumer resumes from its cursor, then it gets only what follows, with the payloads', async () => {
    await writeAndRelay(1, 12);
    const got: StreamEvent[] = [];
    const sub = transport.subscribe({ service: 'message', after: 10, handler: async (events) => void got.push(...events) });
    await waitUntil(() => got.length >= 2, 'the two events after the cursor are delivered', 10_000);
    await sleep(300);
    await sub.stop();
    expect(got.map((e) => e.seq)).toEqual([11, 12]);
    expect(got[0]).toMatchObject({ service: 'message', type: 'message.created', data: { id: 11, text: 'text 11' } });
  });

  it('when the cursor is older than what the stream keeps, then onResync is called and delivery goes on from the first kept event', async () => {
    const outbox = new Outbox({ knex: db.knex, service: 'message', now: () => clock - 2 * 3_600_000 });
    await db.knex.transaction((trx) => outbox.append(trx, [ev(1), ev(2)]));
    await writeAndRelay(3, 4);
    if (transportKind === 'http') {
      await b.pruneNow();
    } else {
      const nc = await connect({ servers: NATS_URL });
      await (await jetstreamManager(nc)).streams.purge(natsStreamName('message', namespace), { seq: 3 });
      await nc.close();
    }
    const resyncs: number[] = [];
    const seen: number[] = [];
    const sub = transport.subscribe({
      service: 'message',
      after: 0,
      handler: async (events) => void seen.push(...events.map((e) => e.seq)),
      onResync: ({ firstAvailable }) => void resyncs.push(firstAvailable),
    });
    await waitUntil(() => seen.length >= 2, 'the kept events are delivered', 10_000);
    await sub.stop();
    expect(resyncs).toEqual([3]);
    expect(seen).toEqual([3, 4]);
  });

  it('when the handler fails, then the same events come again and nothing is skipped or doubled', async () => {
    await writeAndRelay(1, 6);
    const seen: number[] = [];
    let failures = 0;
    const sub = transport.subscribe({
      service: 'message',
      after: 0,
      batchSize: 4,
      durableName: transportKind === 'nats' ? `d${namespace}` : undefined,
      handler: async (events) => {
        if (failures === 0 && events.some((e) => e.seq === 5)) {
          failures++;
          throw new Error('handler failed');
        }
        seen.push(...events.map((e) => e.seq));
      },
    });
    await waitUntil(() => seen.length >= 6, 'every event is handled', 10_000);
    await sub.stop();
    expect(failures).toBe(1);
    expect(seen).toEqual(range(1, 6));
  });
});

describe('NATS durable consumer', () => {
  const namespace = natsNamespace();
  let db: TestDatabase;
  let b: EventBackbone;
  let transport: EventTransport;
  beforeEach(async () => {
    db = await eventsDatabase('sqlite');
    b = backbone(db.knex, { natsUrl: NATS_URL, natsNamespace: namespace });
    await b.start();
    transport = natsTransport({ url: NATS_URL, namespace, logger, idleMs: 300 });
  });
  afterEach(async () => {
    await transport.close();
    await b.stop();
    await db.destroy();
    await deleteStreams(namespace);
  });

  it('when a durable consumer comes back, then the server resumes it after its last ack whatever `after` says', async () => {
    await appendCommitted(db.knex, [ev(1), ev(2)]);
    b.poke();
    await waitUntil(async () => (await b.store.meta()).relayedThrough === 2, 'two events are relayed');
    const first: number[] = [];
    const sub1 = transport.subscribe({
      service: 'message',
      after: 0,
      durableName: 'stats',
      handler: async (e) => void first.push(...e.map((x) => x.seq)),
    });
    await waitUntil(() => first.length === 2, 'the first two are handled');
    await sub1.stop();
    await appendCommitted(db.knex, [ev(3)]);
    b.poke();
    await waitUntil(async () => (await b.store.meta()).relayedThrough === 3, 'the third is relayed');
    const second: number[] = [];
    const sub2 = transport.subscribe({
      service: 'message',
      after: 0,
      durableName: 'stats',
      handler: async (e) => void second.push(...e.map((x) => x.seq)),
    });
    await waitUntil(() => second.length >= 1, 'the third is handled');
    await sleep(300);
    await sub2.stop();
    expect(first).toEqual([1, 2]);
    expect(second).toEqual([3]);
  });
});
