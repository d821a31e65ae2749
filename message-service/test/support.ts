import { randomBytes } from 'node:crypto';
import type { RequestListener } from 'node:http';
import net from 'node:net';
import nock from 'nock';
import request from 'supertest';
import { ServiceTokenMinter } from '@canaduck/auth';
import { createLogger } from '@canaduck/logging';
import {
  bearer,
  createTestDatabase,
  missingChannelAccess,
  testTokenSettings,
  type TestDatabase,
  type TestDbKind,
  testServiceKeys,
} from '@canaduck/testing';
import type { Express } from 'express';
import type { Knex } from '@canaduck/db';
import { decideChannelAccess, type ChannelAccess } from '@canaduck/contracts';
import type { ServiceGuards } from '@canaduck/service-kit';
import { loadConfig } from '@canaduck/config';
import type { EventBackbone } from '@canaduck/events';
import { createMessageApp } from '../src/app';
import type { ChannelAccessFollower } from '../src/domain/channel-access-follower';
import { createClients, type Clients } from '../src/clients';
import { configShape, type MessageConfig, settingsFrom } from '../src/config';
import { migrations } from '../src/migrations';

export const CHANNEL_URL = 'http://channel-service.test';
export const USER_URL = 'http://user-service.test';

export interface FakeChannel {
  channelId: string;
  owner: string;
  moderators: string[];
  members: string[];
  banned: string[];
  modes: string[];
}

/**
 * channel-service and user-service as seen over HTTP (nock): channels and users the tests create,
 * with channel-service's access policy of structures.md section 5. Counts the access calls.
 */
export class World {
  readonly channels = new Map<string, FakeChannel>();
  readonly users = new Set<string>();
  accessCalls = 0;

  channel(name: string, c: Partial<FakeChannel> & { owner: string }): FakeChannel {
    const ch: FakeChannel = { channelId: randomBytes(8).toString('hex'), moderators: [], members: [], banned: [], modes: ['n', 't'], ...c };
    ch.members = [...new Set([c.owner, ...ch.moderators, ...ch.members])];
    this.channels.set(name, ch);
    return ch;
  }

  user(...pseudos: string[]): void {
    for (const p of pseudos) this.users.add(p.toLowerCase());
  }

  access(name: string, pseudo: string, admin: boolean): ChannelAccess {
    const ch = this.channels.get(name);
    const p = pseudo.toLowerCase();
    if (!ch) return missingChannelAccess(name);
    const lower = (xs: string[]) => xs.map((x) => x.toLowerCase());
    const member = lower(ch.members).includes(p);
    const banned = lower(ch.banned).includes(p);
    const role = ch.owner.toLowerCase() === p ? 'owner' : lower(ch.moderators).includes(p) ? 'moderator' : member ? 'member' : null;
    const modes = { i: ch.modes.includes('i'), n: ch.modes.includes('n'), r: ch.modes.includes('r'), s: ch.modes.includes('s') };
    return { channel: name, channel_id: ch.channelId, ...decideChannelAccess(modes, role, banned, admin) };
  }

  /** Installs the HTTP fakes; service calls without a service token get a 401 like the real ones. */
  install(): void {
    nock(CHANNEL_URL)
      .persist()
      .get(/^\/internal\/channels\/[^/]+\/access\/[^/?]+/)
      .reply((uri, _body) => {
        const u = new URL(uri, CHANNEL_URL);
        const [, , , name, , pseudo] = u.pathname.split('/');
        this.accessCalls++;
        return [200, this.access(decodeURIComponent(name), decodeURIComponent(pseudo), u.searchParams.get('admin') === 'true')];
      });
    nock(USER_URL)
      .persist()
      .get(/^\/internal\/users\/[^/]+$/)
      .reply((uri) => {
        const pseudo = decodeURIComponent(uri.split('/').pop() as string);
        const known = [...this.users].find((u) => u === pseudo.toLowerCase());
        if (!known) return [404, { error: 'user not found', code: 'user_not_found' }];
        return [200, { pseudo: pseudo, roles: ['user'], status: 'online' }];
      });
  }
}

export interface TestApp {
  /** What the server runs: GET /msg's fast path in front of Express. */
  app: RequestListener;
  /** The Express app alone. */
  express: Express;
  db: TestDatabase;
  clients: Clients;
  backbone: EventBackbone;
  channelFollower: ChannelAccessFollower;
  close(): Promise<void>;
}

export interface StartOptions {
  channelUrl?: string;
  userUrl?: string;
  accessCacheMs?: number;
  guards?: ServiceGuards;
  /** NATS_URL (tests give their own namespace with natsNamespace). */
  natsUrl?: string;
  natsNamespace?: string;
  /** Starts the channel stream follower (off by default: the nock'd channel-service has no feed). */
  followChannels?: boolean;
  /** A database made by the caller (e.g. to migrate it from an older schema first). */
  db?: TestDatabase;
  /** More configuration (limits set low to reach them). */
  env?: Record<string, string>;
}

/** The service's configuration as runService would read it, with the test's URLs and timings. */
export function testConfig(o: StartOptions = {}): MessageConfig {
  return loadConfig(configShape, {
    JWT_SECRET: 'x'.repeat(32),
    CHANNEL_SERVICE_URL: o.channelUrl ?? CHANNEL_URL,
    USER_SERVICE_URL: o.userUrl ?? USER_URL,
    // Tests change channel state between calls: no reuse unless a test asks for it.
    ACCESS_CACHE_MS: String(o.accessCacheMs ?? 1),
    // Far above what the in-process fakes need, so a loaded machine never turns an answer into a 504.
    HTTP_TIMEOUT_MS: '20000',
    ...(o.natsUrl === undefined ? {} : { NATS_URL: o.natsUrl }),
    ...o.env,
  });
}

/** The message-service on a fresh test database, built by createMessageApp as main.ts builds it. */
export async function startService(kind: TestDbKind, o: StartOptions = {}): Promise<TestApp> {
  const db = o.db ?? (await createTestDatabase('message-service', migrations, kind));
  const config = testConfig(o);
  const logger = createLogger('message-service', process.env.TEST_LOG_LEVEL ?? 'silent');
  const clients = createClients({
    config,
    serviceTokens: new ServiceTokenMinter(testServiceKeys('message-service')),
    logger,
    natsNamespace: o.natsNamespace,
  });
  const { app, handler, backbone, channelFollower } = createMessageApp({
    logger,
    knex: db.knex,
    tokens: testTokenSettings,
    serviceKeys: testServiceKeys('message-service'),
    settings: settingsFrom(config),
    clients,
    // As a service started by runService (ACCESS_LOG's default, no database watchdog here).
    guards: o.guards ?? { accessLog: 'errors', requestTimeoutMs: 20_000 },
    eventBackbone: { pollMs: 10, electionMs: 100, readPollMs: 20, natsNamespace: o.natsNamespace },
  });
  // As main.ts: the backbone sequences what the routes append.
  await backbone.start();
  if (o.followChannels) channelFollower.start();
  return {
    app: handler,
    express: app,
    db,
    clients,
    backbone,
    channelFollower,
    close: async () => {
      await channelFollower.stop();
      await backbone.stop();
      await clients.channelEvents.close();
      clients.close();
      await db.destroy();
    },
  };
}

/** A port nothing listens on: connecting to it is refused at once. */
export async function unusedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface WorldApp {
  world: World;
  /** Filled in by the beforeAll hook: read its fields inside tests only. */
  t: TestApp;
  /** POST /msg as `who`, expecting 201. */
  post(who: string, body: object): request.Test;
}

/** Registers the usual hooks of a route-family suite: the HTTP fakes installed, one app per database kind. */
export function useWorldApp(kind: TestDbKind, o: StartOptions = {}): WorldApp {
  const world = new World();
  const t = {} as TestApp;
  beforeAll(async () => {
    world.install();
    Object.assign(t, await startService(kind, o));
  });
  afterAll(async () => {
    nock.cleanAll();
    await t.close();
  });
  const post = (who: string, body: object) => request(t.app).post('/msg').set('Authorization', bearer(who)).send(body).expect(201);
  return { world, t, post };
}

/**
 * The SQL run on `knex` while `during` runs, without the event sequencer's own passes
 * (outbox_events, in their transactions): they run beside any request.
 */
export async function queriesDuring(knex: Knex, during: () => Promise<void>): Promise<string[]> {
  const queries: string[] = [];
  const listen = (q: { sql: string }) => {
    if (!/outbox_events|^(BEGIN|COMMIT|ROLLBACK)/i.test(q.sql)) queries.push(q.sql);
  };
  knex.on('query', listen);
  try {
    await during();
  } finally {
    knex.removeListener('query', listen);
  }
  return queries;
}
