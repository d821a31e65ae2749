import { randomBytes } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import type { Knex } from '@canaduck/db';
import { createLogger } from '@canaduck/logging';
import { createTestDatabase, testDatabases, waitUntil, type TestDatabase, type TestDbKind } from '@canaduck/testing';
import { EventBackbone, type EventBackboneOptions } from '../src/event-backbone';
import { outboxMigrations } from '../src/migrations';
import { natsScrubStreamName, natsStreamName } from '../src/nats-names';
import { Outbox } from '../src/outbox';
import { SOURCE_SERVICES, type NewEvent, type SourceService } from '../src/types';

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
