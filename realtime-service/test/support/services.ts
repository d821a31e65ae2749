import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ServiceTokenMinter } from '@canaduck/auth';
import { freePort, serviceBearer, testServiceKeys, testServiceSecret, testTokenSettings, userToken, waitUntil } from '@canaduck/testing';
import { createRealtimeApp, type RealtimeApp } from '../../src/app';
import { createClients } from '../../src/clients';
import type { Settings } from '../../src/config';
import { listen, logger, NATS_URL, REDIS_URL, type SourceStreams } from './streams';

/** The repository root (this file is in realtime-service/test/support). */
export const ROOT = path.resolve(__dirname, '..', '..', '..');

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

export type Realtime = Awaited<ReturnType<typeof startRealtime>>;

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
