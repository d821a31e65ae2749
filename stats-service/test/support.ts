import request from 'supertest';
import nock from 'nock';
import { ServiceTokenMinter, verifyServiceToken } from '@canaduck/auth';
import type { Knex } from '@canaduck/db';
import { createLogger } from '@canaduck/logging';
import { createTestDatabase, testServiceKeys, testTokenSettings, type TestDatabase, type TestDbKind } from '@canaduck/testing';
import { createStatsApp, type StatsApp } from '../src/app';
import { createClients, type Clients } from '../src/clients';
import type { EventFollower } from '../src/feed/event-follower';
import { migrations } from '../src/migrations';

export const MESSAGE_URL = 'http://message-service.test';
export const CHANNEL_URL = 'http://channel-service.test';
export const USER_URL = 'http://user-service.test';
export const logger = createLogger('stats-service-test', 'silent');

export interface RawEvent {
  seq: number;
  type: string;
  at: string;
  data: unknown;
}

export interface ChannelInfo {
  name: string;
  channel_id: string;
  private: boolean;
  secret: boolean;
}

/**
 * message-service's feed and channel-service's visibility route, served over HTTP
 * by nock from in-memory lists the test fills. Both insist on a valid service token.
 */
export class FakeServices {
  events: RawEvent[] = [];
  channels = new Map<string, ChannelInfo>();
  /** When set, each page starts this many events before `after` (overlapping pages). */
  overlap = 0;
  feedDown = false;
  channelsDown = false;
  feedCalls = 0;
  private seq = 0;

  install(): void {
    // As the callee checks them: addressed to it, signed by stats-service.
    const authorized = async (auth: string | undefined, callee: string) => {
      try {
        return (await verifyServiceToken(String(auth ?? '').replace(/^Bearer /, ''), testServiceKeys(callee))) === 'stats-service';
      } catch {
        return false;
      }
    };
    this.installBoth(authorized);
  }

  private installBoth(authorized: (auth: string | undefined, callee: string) => boolean | Promise<boolean>): void {
    const self = this;
    nock(MESSAGE_URL)
      .persist()
      .get('/internal/events')
      .query(true)
      .reply(async function (uri) {
        self.feedCalls += 1;
        if (!(await authorized(this.req.headers.authorization as string | undefined, 'message-service')))
          return [401, { error: 'service token required', code: 'token_missing' }];
        if (self.feedDown) return [503, { error: 'message-service unavailable' }];
        const url = new URL(uri, MESSAGE_URL);
        const after = Number(url.searchParams.get('after') ?? 0);
        const limit = Number(url.searchParams.get('limit') ?? 500);
        const first = self.events.findIndex((e) => e.seq > after);
        const page = first === -1 ? [] : self.events.slice(Math.max(0, first - self.overlap), Math.max(0, first - self.overlap) + limit);
        // A long poll with nothing new answers after a short wait, as the real feed does after `wait`.
        if (!page.some((e) => e.seq > after))
          await new Promise((r) => setTimeout(r, Math.min(50, Number(url.searchParams.get('wait') ?? 0) * 1000)));
        return [200, { events: page, last_seq: page.length ? page[page.length - 1].seq : after }];
      });
    nock(CHANNEL_URL)
      .persist()
      .get('/internal/channels')
      .query(true)
      .reply(async function (uri) {
        if (!(await authorized(this.req.headers.authorization as string | undefined, 'channel-service')))
          return [401, { error: 'service token required', code: 'token_missing' }];
        if (self.channelsDown) return [503, { error: 'channel-service unavailable' }];
        const names = (new URL(uri, CHANNEL_URL).searchParams.get('names') ?? '').split(',').filter(Boolean);
        return [200, { channels: names.flatMap((n) => (self.channels.has(n) ? [self.channels.get(n)!] : [])) }];
      });
  }

  /** Appends an event with the next seq. */
  push(type: string, data: unknown, at = new Date().toISOString()): RawEvent {
    this.seq += 1;
    const e = { seq: this.seq, type, at, data };
    this.events.push(e);
    return e;
  }

  channel(name: string, flags: { private?: boolean; secret?: boolean } = {}, channelId = `${name}-id1`): ChannelInfo {
    const c = { name, channel_id: channelId, private: flags.private ?? false, secret: flags.secret ?? false };
    this.channels.set(name, c);
    return c;
  }

  created(
    id: number,
    from: string,
    where: { channel?: string; to?: string },
    opts: { text?: string; timestamp?: string; at?: string } = {},
  ): RawEvent {
    const channel = where.channel ?? null;
    const channelId = channel === null ? null : (this.channels.get(channel)?.channel_id ?? `${channel}-id1`);
    const timestamp = opts.timestamp ?? new Date().toISOString();
    return this.push(
      'message.created',
      { id, channel, channel_id: channelId, to: where.to ?? null, from, text: opts.text ?? `message ${id}`, timestamp, reply_to: null },
      opts.at ?? timestamp,
    );
  }

  react(messageId: number, pseudo: string, emoji = '👍', added = true): RawEvent {
    return this.push(added ? 'reaction.added' : 'reaction.removed', { message_id: messageId, emoji, pseudo });
  }
}

export interface StartOptions {
  /** Events asked per page (STATS_BATCH_SIZE). */
  batchSize?: number;
  /** Clock for the hourly buckets. */
  now?: () => number;
  /** Clients of the caller's (e.g. reading a real message feed); the HTTP fakes' by default. */
  clients?: Clients;
}

/** Clients to the HTTP fakes, built by the service's own createClients. */
export function testClients(): Clients {
  return createClients({
    // A timeout far above what the in-process fakes need, even on a loaded machine.
    config: {
      MESSAGE_SERVICE_URL: MESSAGE_URL,
      CHANNEL_SERVICE_URL: CHANNEL_URL,
      USER_SERVICE_URL: USER_URL,
      HTTP_TIMEOUT_MS: 10_000,
      STATS_FEED_WAIT_S: 0.2,
    },
    serviceTokens: new ServiceTokenMinter(testServiceKeys('stats-service')),
    logger,
    // A breaker that never opens: the tests switch services off and on at will.
    breaker: { errorThreshold: 100, resetMs: 10 },
  });
}

/** Starts the follower if needed and waits until it has applied everything the feed holds (false: timed out). */
export function catchUp(poller: EventFollower, timeoutMs = 10_000): Promise<boolean> {
  return poller.caughtUp(timeoutMs);
}

export interface StatsInstance extends StatsApp {
  clients: Clients;
  /** Stops the poller and closes the clients (the database is the caller's). */
  close(): Promise<void>;
}

/** A stats-service over `knex` whose clients read the HTTP fakes; its follower starts at the first catchUp. */
export function createStatsInstance(knex: Knex, opts: StartOptions = {}): StatsInstance {
  const clients = opts.clients ?? testClients();
  const built = createStatsApp({
    logger,
    knex,
    tokens: testTokenSettings,
    serviceKeys: testServiceKeys('stats-service'),
    settings: { pollMs: 1000, batchSize: opts.batchSize ?? 500, channelRefreshMs: 0, feedStaleMs: 1000 },
    clients,
    now: opts.now,
  });
  return {
    ...built,
    clients,
    close: async () => {
      await built.poller.stop();
      await clients.close();
    },
  };
}

export interface StatsWorld extends StatsInstance {
  db: TestDatabase;
  fake: FakeServices;
}

/** A stats-service on a fresh database, its poller reading the HTTP fakes; /ready shows the poller's view. */
export async function startService(kind: TestDbKind, opts: StartOptions = {}): Promise<StatsWorld> {
  const db = await createTestDatabase('stats-service', migrations, kind);
  const fake = new FakeServices();
  fake.install();
  const instance = createStatsInstance(db.knex, opts);
  const close = async () => {
    await instance.close();
    nock.cleanAll();
    await db.destroy();
  };
  return { ...instance, db, fake, close };
}

/** One stats-service for a describe block (beforeAll/afterAll), with the calls its route tests make. */
export function useStatsService(kind: TestDbKind) {
  let world: StatsWorld;
  beforeAll(async () => {
    world = await startService(kind);
  });
  afterAll(() => world.close());
  return {
    get world() {
      return world;
    },
    get fake() {
      return world.fake;
    },
    /** Waits until the poller has applied every event the fakes hold. */
    sync: () => catchUp(world.poller),
    get: (path: string, auth?: string) => (auth ? request(world.app).get(path).set('Authorization', auth) : request(world.app).get(path)),
  };
}
