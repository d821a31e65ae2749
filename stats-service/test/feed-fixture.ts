import nock from 'nock';
import { ServiceTokenMinter, verifyServiceToken } from '@canaduck/auth';
import type { Knex } from '@canaduck/db';
import { createLogger } from '@canaduck/logging';
import { ServiceClient } from '@canaduck/http-client';
import type { Express } from 'express';
import { createTestDatabase, testServiceSecret, testTokenSettings, type TestDatabase, type TestDbKind } from '@canaduck/testing';
import { createApp } from '../src/app';
import { ChannelClient } from '../src/clients/channel-client';
import { MessageClient } from '../src/clients/message-client';
import { EventPoller } from '../src/feed/event-poller';
import { migrations } from '../src/migrations';

export const MESSAGE_URL = 'http://message-service.test';
export const CHANNEL_URL = 'http://channel-service.test';
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
    const authorized = (auth: string | undefined) => {
      try {
        verifyServiceToken(String(auth ?? '').replace(/^Bearer /, ''), testServiceSecret);
        return true;
      } catch {
        return false;
      }
    };
    this.installBoth(authorized);
  }

  private installBoth(authorized: (auth: string | undefined) => boolean): void {
    const self = this;
    nock(MESSAGE_URL)
      .persist()
      .get('/internal/events')
      .query(true)
      .reply(function (uri) {
        self.feedCalls += 1;
        if (!authorized(this.req.headers.authorization as string | undefined))
          return [401, { error: 'service token required', code: 'token_missing' }];
        if (self.feedDown) return [503, { error: 'message-service unavailable' }];
        const url = new URL(uri, MESSAGE_URL);
        const after = Number(url.searchParams.get('after') ?? 0);
        const limit = Number(url.searchParams.get('limit') ?? 500);
        const first = self.events.findIndex((e) => e.seq > after);
        const page = first === -1 ? [] : self.events.slice(Math.max(0, first - self.overlap), Math.max(0, first - self.overlap) + limit);
        return [200, { events: page, last_seq: page.length ? page[page.length - 1].seq : after }];
      });
    nock(CHANNEL_URL)
      .persist()
      .get('/internal/channels')
      .query(true)
      .reply(function (uri) {
        if (!authorized(this.req.headers.authorization as string | undefined))
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

export interface TestPoller {
  poller: EventPoller;
  close(): void;
}

export function makePoller(knex: Knex, batchSize = 500): TestPoller {
  const minter = new ServiceTokenMinter('stats-service', testServiceSecret);
  const serviceAuth = () => `Bearer ${minter.get()}`;
  // A breaker that never opens: the tests switch services off and on at will.
  // A timeout far above what the in-process fakes need, even on a loaded machine.
  const opts = { timeoutMs: 10_000, serviceAuth, breakerErrorThreshold: 100, breakerResetMs: 10 };
  const messageHttp = new ServiceClient({ name: 'message-service', baseUrl: MESSAGE_URL, ...opts });
  const channelHttp = new ServiceClient({ name: 'channel-service', baseUrl: CHANNEL_URL, ...opts });
  const poller = new EventPoller({
    knex,
    logger,
    messages: new MessageClient(messageHttp),
    channels: new ChannelClient(channelHttp),
    pollMs: 1000,
    batchSize,
    channelRefreshMs: 0,
  });
  return {
    poller,
    close: () => {
      messageHttp.close();
      channelHttp.close();
    },
  };
}

/** Runs poll cycles until a page is not full (what the timer loop does, without waiting). */
export async function catchUp(poller: EventPoller, maxCycles = 10_000): Promise<number> {
  let cycles = 0;
  while (cycles < maxCycles) {
    cycles += 1;
    if (!(await poller.cycle())) break;
  }
  return cycles;
}

export interface StatsWorld {
  db: TestDatabase;
  app: Express;
  fake: FakeServices;
  tp: TestPoller;
  close(): Promise<void>;
}

/** A stats-service on a fresh database, its poller reading the HTTP fakes; /ready shows the poller's view. */
export async function startStatsWorld(kind: TestDbKind, batchSize?: number): Promise<StatsWorld> {
  const db = await createTestDatabase('stats-service', migrations, kind);
  const fake = new FakeServices();
  fake.install();
  const tp = makePoller(db.knex, batchSize);
  const app = createApp({
    logger,
    knex: db.knex,
    tokens: testTokenSettings,
    serviceSecret: testServiceSecret,
    feedStatus: () => tp.poller.status(),
  });
  const close = async () => {
    await tp.poller.stop();
    tp.close();
    nock.cleanAll();
    await db.destroy();
  };
  return { db, app, fake, tp, close };
}
