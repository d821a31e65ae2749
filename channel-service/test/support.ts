import type { Express } from 'express';
import nock from 'nock';
import request from 'supertest';
import { createLogger } from '@canaduck/logging';
import {
  bearer,
  createTestDatabase,
  freePort,
  readWholeStream,
  serviceBearer,
  testServiceKeys,
  testTokenSettings,
  uniqueName,
  waitUntil,
  type TestDatabase,
  type StreamEventRead,
  type TestDbKind,
} from '@canaduck/testing';
import { ServiceTokenMinter } from '@canaduck/auth';
import { type ChannelEventName, channelEventDataSchemas } from '@canaduck/contracts';
import type { EventBackbone } from '@canaduck/events';
import { type AppDeps, type ChannelApp, createChannelApp } from '../src/app';
import { type Clients, createClients } from '../src/clients';
import { migrations } from '../src/migrations';

/** user-service as the app sees it; tests answer for it with nock. */
export const USER_SERVICE_URL = 'http://user-service.test';

export interface TestApp {
  app: Express;
  /** Started: events appended by the app are sequenced and readable at once. */
  backbone: EventBackbone;
  /** Not started: the tests of account deletion start it (it follows the user stream at userServiceUrl). */
  accountDeletions: ChannelApp['accountDeletions'];
  db: TestDatabase;
  clients: Clients;
  close(): Promise<void>;
}

/** The default timeout is far above what the nock fakes need, so a loaded machine never turns an answer into a 504. */
export async function startApp(
  kind: TestDbKind,
  userServiceUrl = USER_SERVICE_URL,
  timeoutMs = 10_000,
  events: { natsUrl?: string; natsNamespace?: string } = {},
): Promise<TestApp> {
  const db = await createTestDatabase('channel-service', migrations, kind);
  const opened = openApp(db, userServiceUrl, timeoutMs, events);
  await opened.backbone.start();
  return {
    ...opened,
    close: async () => {
      await opened.close();
      await db.destroy();
    },
  };
}

/**
 * A channel-service process over an existing database (a restart, or a second replica): nothing
 * started; close() stops what was started, not the database.
 */
export function openApp(
  db: TestDatabase,
  userServiceUrl = USER_SERVICE_URL,
  timeoutMs = 10_000,
  events: { natsUrl?: string; natsNamespace?: string } = {},
): Omit<TestApp, 'close'> & { close(): Promise<void> } {
  const logger = createLogger('channel-service', 'silent');
  const clients = createClients({
    config: { USER_SERVICE_URL: userServiceUrl, HTTP_TIMEOUT_MS: timeoutMs },
    serviceTokens: new ServiceTokenMinter(testServiceKeys('channel-service')),
    logger,
  });
  const deps: AppDeps = {
    logger,
    knex: db.knex,
    tokens: testTokenSettings,
    serviceKeys: testServiceKeys('channel-service'),
    settings: { bodyLimit: '100kb', eventRetentionMs: 7 * 24 * 3600 * 1000, natsUrl: events.natsUrl },
    clients,
    eventBackbone: { pollMs: 10, electionMs: 50, readPollMs: 20, natsNamespace: events.natsNamespace },
  };
  const { app, backbone, accountDeletions } = createChannelApp(deps);
  // Workers first (they write through the backbone), then the backbone, then the clients.
  const close = async () => {
    await accountDeletions.stop();
    await backbone.stop();
    await clients.close();
  };
  return { app, backbone, accountDeletions, db, clients, close };
}

export const admin = (pseudo = uniqueName('admin')) => bearer(pseudo, ['user', 'admin']);

/** Creates a channel owned by `owner` and returns its name. */
export async function createChannel(app: Express, owner: string, body: Record<string, unknown> = {}): Promise<string> {
  const res = await request(app)
    .post('/channel')
    .set('Authorization', bearer(owner))
    .send({ name: uniqueName('c'), private: false, ...body });
  if (res.status !== 201) throw new Error(`channel creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.name as string;
}

export async function join(app: Express, name: string, pseudo: string): Promise<void> {
  const res = await request(app).post(`/channel/${name}/join`).set('Authorization', bearer(pseudo));
  if (res.status !== 200) throw new Error(`join failed: ${res.status} ${JSON.stringify(res.body)}`);
}

export async function config(app: Express, name: string, auth = admin()): Promise<Record<string, unknown>> {
  const res = await request(app).get(`/channel/${name}/config`).set('Authorization', auth);
  if (res.status !== 200) throw new Error(`config failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Record<string, unknown>;
}

export async function access(app: Express, name: string, pseudo: string, isAdmin = false): Promise<Record<string, unknown>> {
  const res = await request(app)
    .get(`/internal/channels/${name}/access/${pseudo}`)
    .query({ admin: String(isAdmin) })
    .set('Authorization', serviceBearer('message-service', 'channel-service'));
  if (res.status !== 200) throw new Error(`access failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Record<string, unknown>;
}

export async function usersOf(app: Express, name: string): Promise<Array<{ pseudo: string; role: string }>> {
  const res = await request(app).get(`/channel/${name}/users`).set('Authorization', admin());
  if (res.status !== 200) throw new Error(`users failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.users as Array<{ pseudo: string; role: string }>;
}

/** A local URL where nothing listens (a port just released): a user-service that is down. */
export async function closedPortUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}

/**
 * One app for a whole suite: started before its tests and closed after them. The object is
 * filled in by the beforeAll hook, so read its fields inside tests only.
 */
export function useApp(kind: TestDbKind): TestApp {
  const t = {} as TestApp;
  beforeAll(async () => {
    Object.assign(t, await startApp(kind));
  });
  afterAll(async () => t.close());
  return t;
}

/**
 * useApp for suites that answer for user-service with nock: only local sockets may connect (a
 * call no fake answers fails at once instead of going out), and each test's fakes go with it.
 */
export function useAppWithFakeUserService(kind: TestDbKind): TestApp {
  beforeAll(() => {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  });
  const t = useApp(kind);
  afterAll(() => nock.enableNetConnect());
  afterEach(() => nock.cleanAll());
  return t;
}

/** One event of the channel feed as a consumer reads it. */
export type FeedEvent = StreamEventRead<Record<string, unknown> & { channel: string }>;

/** The whole channel stream, read through GET /internal/events with a service token. */
export function feed(app: Express, after = 0): Promise<FeedEvent[]> {
  return readWholeStream(app, { caller: 'message-service', callee: 'channel-service', after, limit: 5000 });
}

/**
 * The events of one channel once there are at least `count` of them, each payload checked
 * against its strict schema in @canaduck/contracts. Events are sequenced in commit order, so
 * once a later change's event is there, every earlier committed one is too.
 */
export async function eventsOf(app: Express, channel: string, count: number): Promise<FeedEvent[]> {
  let events: FeedEvent[] = [];
  await waitUntil(async () => {
    events = (await feed(app)).filter((e) => e.data.channel === channel);
    return events.length >= count;
  }, `${count} events of #${channel} are in the feed`);
  for (const e of events) channelEventDataSchemas[e.type as ChannelEventName].strict().parse(e.data);
  return events;
}

/** The events of a channel as `[type, data]` pairs, for exact comparisons. */
export async function changesOf(app: Express, channel: string, count: number): Promise<Array<[string, Record<string, unknown>]>> {
  return (await eventsOf(app, channel, count)).map((e) => [e.type, e.data]);
}

export async function channelIdOf(app: Express, name: string): Promise<string> {
  return (await access(app, name, 'nobody')).channel_id as string;
}
