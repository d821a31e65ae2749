import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import type { Knex } from '@canaduck/db';
import { errorMiddleware } from '@canaduck/errors';
import { createLogger } from '@canaduck/logging';
import {
  createTestDatabase,
  serviceToken,
  testDatabases,
  testFeedAccess,
  waitUntil,
  type TestDatabase,
  type TestDbKind,
} from '@canaduck/testing';
import { EventBackbone, type EventBackboneOptions } from '../src/event-backbone';
import { eventFeedRoutes } from '../src/feed-routes';
import { httpFeedTransport } from '../src/http-transport';
import { outboxMigrations } from '../src/migrations';
import { natsScrubStreamName, natsStreamName } from '../src/nats-names';
import { natsTransport } from '../src/nats-transport';
import { Outbox } from '../src/outbox';
import { SOURCE_SERVICES, type EventTransport, type NewEvent, type SourceService } from '../src/types';

export const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
export const logger = createLogger('events-test', process.env.TEST_LOG_LEVEL ?? 'silent');
export const dbKinds = testDatabases();
/**
 * describe.each over MySQL only (skipped without TEST_MYSQL_URL): what it proves cannot happen on
 * SQLite, whose single writer serializes every transaction (no late commit, no replicas).
 */
export const describeMysql = dbKinds.includes('mysql') ? describe.each(['mysql' as const]) : describe.skip.each(['mysql' as const]);

export function eventsDatabase(kind: TestDbKind): Promise<TestDatabase> {
  return createTestDatabase('events', outboxMigrations, kind);
}

/** A backbone with test-friendly timings; stop it in afterEach. */
export function backbone(knex: Knex, o: Partial<EventBackboneOptions> = {}): EventBackbone {
  return new EventBackbone({ knex, service: 'message', logger, pollMs: 10, electionMs: 50, readPollMs: 20, ...o });
}

/** Appends events in their own committed transaction. */
export async function appendCommitted(knex: Knex, events: NewEvent[], service: SourceService = 'message'): Promise<void> {
  const outbox = new Outbox({ knex, service });
  await knex.transaction((trx) => outbox.append(trx, events));
}

export function ev(n: number, type = 'message.created'): NewEvent {
  return { type, data: { id: n, text: `text ${n}` }, subject: `message:${n}` };
}

/** A unique NATS namespace per test file, and the clean-up of its streams. */
export function natsNamespace(): string {
  return `t${randomBytes(4).toString('hex')}`;
}

export async function deleteStreams(namespace: string): Promise<void> {
  const nc = await connect({ servers: NATS_URL });
  try {
    const jsm = await jetstreamManager(nc);
    for (const s of SOURCE_SERVICES) {
      await jsm.streams.delete(natsStreamName(s, namespace)).catch(() => undefined);
      await jsm.streams.delete(natsScrubStreamName(s, namespace)).catch(() => undefined);
    }
  } finally {
    await nc.close();
  }
}

/** Per test: a fresh database and NATS streams, and the backbones `start` made stopped afterwards. */
export function useNatsRelays(kind: TestDbKind, o: Partial<EventBackboneOptions> = {}) {
  const t = {
    namespace: natsNamespace(),
    db: undefined as unknown as TestDatabase,
    backbones: [] as EventBackbone[],
    /** A started backbone relaying to `natsUrl` (default the test server). */
    async start(natsUrl = NATS_URL): Promise<EventBackbone> {
      const b = backbone(t.db.knex, { natsUrl, natsNamespace: t.namespace, ...o });
      t.backbones.push(b);
      await b.start();
      return b;
    },
    /** A backbone appends these events, relays them through `head`, then stops (a relay that went away). */
    async relayedThenStopped(events: NewEvent[], head: number): Promise<void> {
      const b = await t.start();
      await appendCommitted(t.db.knex, events);
      b.poke();
      await waitUntil(async () => (await b.store.meta()).relayedThrough === head, `events up to ${head} are relayed`);
      await b.stop();
      t.backbones.splice(t.backbones.indexOf(b), 1);
    },
  };
  beforeEach(async () => {
    await deleteStreams(t.namespace);
    t.db = await eventsDatabase(kind);
  });
  afterEach(async () => {
    await Promise.all(t.backbones.splice(0).map((x) => x.stop()));
    await t.db.destroy();
  });
  afterAll(() => deleteStreams(t.namespace));
  return t;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Reads the whole feed through the backbone, as a reader with a cursor would. */
export async function readAll(b: EventBackbone, after = 0): Promise<number[]> {
  const seqs: number[] = [];
  for (;;) {
    const page = await b.read(after, { limit: 1000, waitMs: 0 });
    if (page.events.length === 0) return seqs;
    seqs.push(...page.events.map((e) => e.seq));
    after = page.last_seq;
  }
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** Each database with each transport (describe.each rows: kind, transport). */
export const transportMatrix = dbKinds.flatMap((kind) => (['http', 'nats'] as const).map((t) => [kind, t] as const));

export interface ServedStreamOptions extends Partial<EventBackboneOptions> {
  service: SourceService;
  /** Whose service tokens the HTTP transports send. */
  caller: string;
}

/**
 * Per test: `service`'s stream on a fresh database, served by the real `GET /internal/events` on
 * a port (and relayed to NATS over 'nats'), and the transports a test reads it through; all
 * closed after the test.
 */
export function useServedStream(kind: TestDbKind, transportKind: 'http' | 'nats', o: ServedStreamOptions) {
  const { caller, ...backboneOptions } = o;
  const namespace = natsNamespace();
  const transports: EventTransport[] = [];
  let server: http.Server;
  let published = 0;
  const t = {
    namespace,
    db: undefined as unknown as TestDatabase,
    b: undefined as unknown as EventBackbone,
    url: '',
    /** A new transport reading the stream (the HTTP one long-polls a second at most). */
    transport(): EventTransport {
      const made =
        transportKind === 'http'
          ? httpFeedTransport({
              urls: { [o.service]: t.url },
              serviceTokens: { get: (callee) => serviceToken(caller, callee) },
              logger,
              waitSeconds: 1,
            })
          : natsTransport({ url: NATS_URL, namespace, logger, idleMs: 200 });
      transports.push(made);
      return made;
    },
    /**
     * Appends events in one committed transaction and waits until they are sequenced (and relayed
     * over NATS); resolves with the seq of the last. The stream's only writer: seqs are dense from 1.
     */
    async publish(events: NewEvent[]): Promise<number> {
      await appendCommitted(t.db.knex, events, o.service);
      t.b.poke();
      const last = (published += events.length);
      await waitUntil(
        async () => (await t.b.head()) === last && (transportKind === 'http' || (await t.b.store.meta()).relayedThrough === last),
        `events up to ${last} are out`,
      );
      return last;
    },
    /**
     * Drops the events through `seq` as retention would: pruned from the outbox (HTTP) or purged
     * from the JetStream stream (NATS). The events after `seq` must have been published later.
     */
    async dropThrough(seq: number): Promise<void> {
      if (transportKind === 'http') {
        const next = (await t.db
          .knex('outbox_events')
          .where({ seq: seq + 1 })
          .first('at')) as { at: number | string };
        await t.db.knex.transaction((trx) => t.b.store.prune(trx, Number(next.at)));
        return;
      }
      const nc = await connect({ servers: NATS_URL });
      try {
        await (await jetstreamManager(nc)).streams.purge(natsStreamName(o.service, namespace), { seq: seq + 1 });
      } finally {
        await nc.close();
      }
    },
  };
  beforeEach(async () => {
    published = 0;
    t.db = await eventsDatabase(kind);
    t.b = backbone(t.db.knex, { ...backboneOptions, ...(transportKind === 'nats' ? { natsUrl: NATS_URL, natsNamespace: namespace } : {}) });
    await t.b.start();
    const app = express();
    app.use(eventFeedRoutes(t.b, testFeedAccess(`${o.service}-service`)));
    app.use(errorMiddleware());
    server = http.createServer(app).listen(0);
    t.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await Promise.all(transports.splice(0).map((x) => x.close()));
    await t.b.stop();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await t.db.destroy();
    await deleteStreams(namespace);
  });
  return t;
}
