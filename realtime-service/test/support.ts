import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { EventSource } from 'eventsource';
import { WebSocket } from 'ws';
import { ServiceTokenMinter } from '@canaduck/auth';
import { createDatabase, runMigrations, type Knex } from '@canaduck/db';
import { EventBackbone, eventFeedRoutes, outboxMigrations, Outbox, SOURCE_SERVICES, type SourceService } from '@canaduck/events';
import { createLogger } from '@canaduck/logging';
import {
  freePort,
  serviceBearer,
  testServiceSecret,
  testTokenSettings,
  uniqueName,
  userToken,
  waitUntil,
  testServiceKeys,
  testFeedAccess,
} from '@canaduck/testing';
import { createRealtimeApp, type RealtimeApp } from '../src/app';
import { createClients } from '../src/clients';
import type { Settings } from '../src/config';
import type { Envelope } from '../src/domain/envelope';

export { freePort, uniqueName, userToken, waitUntil };
export const ROOT = path.resolve(__dirname, '..', '..');
export const logger = createLogger('realtime-test', 'silent');
export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export const defaultSettings: Settings = {
  windowEvents: 20000,
  sendBufferBytes: 1024 * 1024,
  heartbeatMs: 25000,
  resumeWaitMs: 3000,
  accessCacheMs: 2000,
  accessCacheSyncedMs: 60000,
  ticketTtlSeconds: 30,
  streamSyncWindowMs: 6000,
};

/**
 * The three source streams as the services will serve them (@canaduck/events' outbox, sequencer
 * and feed over SQLite in a temp dir), with a NATS relay when `nats` is given: what channel- and
 * user-service will emit is appended here until their outboxes land.
 */
export class SourceStreams {
  private readonly knexes: Partial<Record<SourceService, Knex>> = {};
  private readonly backbones: Partial<Record<SourceService, EventBackbone>> = {};
  private readonly outboxes: Partial<Record<SourceService, Outbox>> = {};
  private server: Server | undefined;
  readonly namespace = uniqueName('rt');
  url = '';

  constructor(
    readonly nats: boolean,
    private readonly retentionMs?: number,
  ) {}

  async start(): Promise<this> {
    const app = express();
    for (const service of SOURCE_SERVICES) {
      const knex = await createDatabase({ service: `${service}-events`, sqliteFile: ':memory:' });
      await runMigrations(knex, outboxMigrations);
      const backbone = new EventBackbone({
        knex,
        service,
        logger,
        natsUrl: this.nats ? NATS_URL : undefined,
        natsNamespace: this.namespace,
        pollMs: 10,
        retentionMs: this.retentionMs,
        pruneEveryMs: this.retentionMs ? 50 : undefined,
      });
      await backbone.start();
      this.knexes[service] = knex;
      this.backbones[service] = backbone;
      this.outboxes[service] = new Outbox({ knex, service });
      app.use(`/${service}`, eventFeedRoutes(backbone, testFeedAccess(`${backbone.service}-service`)));
    }
    this.server = await listen(app);
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async append(service: SourceService, type: string, data: unknown): Promise<void> {
    await this.knexes[service]!.transaction((trx) => this.outboxes[service]!.append(trx, [{ type, data }]));
    this.backbones[service]!.poke();
  }

  async head(service: SourceService): Promise<number> {
    return this.backbones[service]!.head();
  }

  feedUrl(service: SourceService): string {
    return `${this.url}/${service}`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
    for (const s of SOURCE_SERVICES) {
      await this.backbones[s]?.stop();
      await this.knexes[s]?.destroy();
    }
  }
}

export function listen(handler: http.RequestListener): Promise<Server> {
  return new Promise((resolve) => {
    const server = http.createServer(handler).listen(0, '127.0.0.1', () => resolve(server));
  });
}

export const commonEnv = (dataDir: string) => ({
  NODE_ENV: 'test',
  LOG_LEVEL: 'warn',
  JWT_SECRET: testTokenSettings.secret,
  SERVICE_TOKEN_SECRET: testServiceSecret,
  DATA_DIR: dataDir,
  PATH: process.env.PATH ?? '',
});

/** A service run as its container does (`node <svc>/dist/main.js`), on a free port. */
export class ChildService {
  proc: ChildProcess | undefined;
  url = '';
  private readonly dataDir = mkdtempSync(path.join(os.tmpdir(), 'rt-'));

  constructor(
    readonly name: string,
    private readonly env: Record<string, string>,
  ) {}

  async start(): Promise<this> {
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    this.proc = spawn(process.execPath, [path.join(ROOT, this.name, 'dist', 'main.js')], {
      env: { ...commonEnv(this.dataDir), ...this.env, PORT: String(port) },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await waitUntil(
      async () => {
        const res = await fetch(`${this.url}/health`).catch(() => undefined);
        return res?.ok ?? false;
      },
      `${this.name} is up`,
      20000,
      50,
    );
    return this;
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      p.once('exit', () => resolve());
      p.kill(signal);
    });
  }

  async stop(): Promise<void> {
    await this.kill('SIGKILL');
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** A realtime-service in this process, over the real clients (createClients). */
export async function startRealtime(o: { streams: SourceStreams; channelUrl: string; settings?: Partial<Settings>; redis?: boolean }) {
  const clients = createClients({
    config: {
      CHANNEL_SERVICE_URL: o.channelUrl,
      USER_SERVICE_URL: o.streams.url,
      MESSAGE_SERVICE_URL: o.streams.url,
      USER_EVENTS_URL: o.streams.feedUrl('user'),
      CHANNEL_EVENTS_URL: o.streams.feedUrl('channel'),
      MESSAGE_EVENTS_URL: o.streams.feedUrl('message'),
      HTTP_TIMEOUT_MS: 2000,
      NATS_URL: o.streams.nats ? NATS_URL : undefined,
      NATS_NAMESPACE: o.streams.namespace,
      REDIS_URL: o.redis ? REDIS_URL : undefined,
      FEED_WAIT_SECONDS: 1,
    },
    serviceTokens: new ServiceTokenMinter(testServiceKeys('realtime-service')),
    logger,
  });
  const realtime: RealtimeApp = createRealtimeApp({
    logger,
    tokens: testTokenSettings,
    serviceKeys: testServiceKeys('realtime-service'),
    settings: { ...defaultSettings, ...o.settings },
    clients,
  });
  realtime.start();
  const server = await listen(realtime.app);
  server.on('upgrade', realtime.upgrade);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await waitUntil(async () => (await fetch(`${url}/ready`)).ok, 'realtime-service ready', 10000, 50);
  return {
    url,
    realtime,
    async close() {
      realtime.shutdown();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await realtime.stop();
      await clients.close();
    },
  };
}

/** Env of a realtime child process reading these streams. */
export function realtimeEnv(streams: SourceStreams, channelUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    CHANNEL_SERVICE_URL: channelUrl,
    USER_EVENTS_URL: streams.feedUrl('user'),
    CHANNEL_EVENTS_URL: streams.feedUrl('channel'),
    MESSAGE_EVENTS_URL: streams.feedUrl('message'),
    FEED_WAIT_SECONDS: '1',
    ...(streams.nats ? { NATS_URL, NATS_NAMESPACE: streams.namespace } : {}),
    ...extra,
  };
}

/** channel-service's public routes, acting as a user. */
export async function channelCall(
  channelUrl: string,
  pseudo: string,
  method: string,
  p: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${channelUrl}${p}`, {
    method,
    headers: { authorization: `Bearer ${userToken(pseudo)}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json().catch(() => undefined) };
}

/** The channel_id channel-service gives a channel (messages carry it). */
export async function channelIdOf(channelUrl: string, name: string): Promise<string> {
  const res = await fetch(`${channelUrl}/internal/channels/${name}/access/nobody`, {
    headers: { authorization: serviceBearer('realtime-service', 'channel-service') },
  });
  return ((await res.json()) as { channel_id: string }).channel_id;
}

/** A WebSocket client that keeps every envelope it receives. */
export class WsClient {
  readonly received: Envelope[] = [];
  closeCode: number | undefined;
  closeReason = '';
  readonly ws: WebSocket;
  readonly opened: Promise<void>;

  constructor(url: string, o: { token?: string; query?: string } = {}) {
    const wsUrl = `${url.replace(/^http/, 'ws')}/ws${o.query ? `?${o.query}` : ''}`;
    this.ws = new WebSocket(wsUrl, { headers: o.token ? { authorization: `Bearer ${o.token}` } : {}, perMessageDeflate: false });
    this.ws.on('message', (raw) => this.received.push(JSON.parse(raw.toString()) as Envelope));
    this.ws.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
    });
    this.ws.on('error', () => undefined);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      this.ws.once('error', reject);
    });
  }

  events(type?: string): Envelope[] {
    return this.received.filter((e) => (type ? e.type === type : !CONTROL.has(e.type)));
  }

  async waitFor(n: number, type?: string, timeoutMs = 10000): Promise<Envelope[]> {
    await waitUntil(() => this.events(type).length >= n, `${n} ${type ?? 'events'} received (have ${this.events(type).length})`, timeoutMs);
    return this.events(type);
  }

  get cursor(): string | undefined {
    return this.received.filter((e) => e.type !== 'subscribed' && e.type !== 'error').at(-1)?.cursor;
  }

  /** Open and live: the first heartbeat came. */
  async live(): Promise<this> {
    await this.opened;
    await this.waitFor(1, 'heartbeat');
    return this;
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.terminate();
    });
  }
}

const CONTROL = new Set(['heartbeat', 'resync_required', 'reconnect', 'closing', 'subscribed', 'unsubscribed', 'error']);

export const EVENT_TYPES_SEEN = [
  'message.created',
  'message.edited',
  'message.deleted',
  'reaction.added',
  'channel.member_joined',
  'channel.member_kicked',
  'channel.member_banned',
  'user.logged_out',
  'heartbeat',
  'resync_required',
  'reconnect',
  'closing',
];

/** An SSE client (the `eventsource` package) sending the JWT as a header. */
export class SseClient {
  readonly received: Envelope[] = [];
  readonly es: EventSource;

  constructor(url: string, token: string, o: { lastEventId?: string; query?: string } = {}) {
    this.es = new EventSource(`${url}/events${o.query ? `?${o.query}` : ''}`, {
      fetch: (input, init) =>
        fetch(input, {
          ...init,
          headers: {
            ...(init?.headers as Record<string, string>),
            authorization: `Bearer ${token}`,
            ...(o.lastEventId ? { 'last-event-id': o.lastEventId } : {}),
          },
        }),
    });
    for (const type of EVENT_TYPES_SEEN)
      this.es.addEventListener(type, (ev) => this.received.push(JSON.parse((ev as MessageEvent).data as string) as Envelope));
  }

  events(type?: string): Envelope[] {
    return this.received.filter((e) => (type ? e.type === type : !CONTROL.has(e.type)));
  }

  async waitFor(n: number, type?: string, timeoutMs = 10000): Promise<Envelope[]> {
    await waitUntil(() => this.events(type).length >= n, `${n} ${type ?? 'events'} over SSE (have ${this.events(type).length})`, timeoutMs);
    return this.events(type);
  }

  async live(): Promise<this> {
    await this.waitFor(1, 'heartbeat');
    return this;
  }

  close(): void {
    this.es.close();
  }
}

/** A channel message as message-service writes it in its stream. */
let nextId = 1;
export function messageData(channel: string, channelId: string, from: string, text: string) {
  return { id: nextId++, channel, channel_id: channelId, to: null, from, text, timestamp: new Date().toISOString(), reply_to: null };
}
export function privateData(from: string, to: string, text: string) {
  return { id: nextId++, channel: null, channel_id: null, to, from, text, timestamp: new Date().toISOString(), reply_to: null };
}

/**
 * The service's app built as main.ts builds it, streams not started (the OpenAPI document
 * tests); realtime-service has no database, so `kind` changes nothing.
 */
export async function startService(_kind: 'sqlite' | 'mysql' = 'sqlite'): Promise<{ app: http.RequestListener; close(): Promise<void> }> {
  const clients = createClients({
    config: {
      CHANNEL_SERVICE_URL: 'http://127.0.0.1:9',
      USER_SERVICE_URL: 'http://127.0.0.1:9',
      MESSAGE_SERVICE_URL: 'http://127.0.0.1:9',
      HTTP_TIMEOUT_MS: 500,
      NATS_NAMESPACE: 'canaduck',
      FEED_WAIT_SECONDS: 1,
    },
    serviceTokens: new ServiceTokenMinter(testServiceKeys('realtime-service')),
    logger,
  });
  const realtime = createRealtimeApp({
    logger,
    tokens: testTokenSettings,
    serviceKeys: testServiceKeys('realtime-service'),
    settings: defaultSettings,
    clients,
  });
  return {
    app: realtime.app,
    async close() {
      await realtime.stop();
      await clients.close();
    },
  };
}
