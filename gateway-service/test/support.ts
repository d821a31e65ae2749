import { createHash } from 'node:crypto';
import http, { type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { ServiceTokenMinter } from '@canaduck/auth';
import { loadConfig } from '@canaduck/config';
import { createLogger } from '@canaduck/logging';
import { testServiceSecret, testTokenSettings, testServiceKeys } from '@canaduck/testing';
import { createGateway, type Gateway } from '../src/app';
import { createClients } from '../src/clients';
import { configShape, settingsFrom } from '../src/config';

// The gateway's test helpers: echoing and misbehaving upstreams (real servers on port 0), and
// the gateway under test built as main.ts builds it.

export interface Recorded {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  bodyLength: number;
  bodySha256: string;
  body: string;
}

export interface Upstream {
  name: string;
  url: string;
  requests: Recorded[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function listen(app: Express): Promise<Server> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * A real upstream HTTP server on port 0. `routes` mounts specific answers; anything else is
 * echoed back as JSON (what arrived: method, url, headers, body size and hash), and every
 * request is recorded, so a test can check what the gateway passed on.
 */
export async function startUpstream(name: string, routes?: (app: Express) => void): Promise<Upstream> {
  const requests: Recorded[] = [];
  const app = express();
  app.use(async (req, _res, next) => {
    const body = await readBody(req);
    requests.push({
      method: req.method,
      url: req.url,
      headers: req.headers,
      bodyLength: body.length,
      bodySha256: createHash('sha256').update(body).digest('hex'),
      body: body.length <= 10000 ? body.toString('utf8') : '',
    });
    (req as { rawBody?: Buffer }).rawBody = body;
    next();
  });
  app.get('/health', (_req, res) => void res.json({ status: 'ok', service: name }));
  routes?.(app);
  app.use((req, res) => {
    const last = requests[requests.length - 1];
    res.status(200).json({
      service: name,
      method: req.method,
      url: req.url,
      headers: req.headers,
      bodyLength: last.bodyLength,
      bodySha256: last.bodySha256,
    });
  });
  const server = await listen(app);
  return { name, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, close: () => closeServer(server) };
}

/** A URL where nothing listens: connecting is refused. */
export async function refusedUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** A raw server for the failure cases: `handler` gets the bare request and response. */
export async function startRawServer(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => closeServer(server) };
}

export interface UpstreamSet {
  user: Upstream;
  message: Upstream;
  channel: Upstream;
  stats: Upstream;
}

/** The gateway under test, wired like main.ts but from an explicit environment; shutdown() also closes its clients. */
export function buildGateway(
  urls: { user: string; message: string; channel: string; stats: string },
  env: Record<string, string> = {},
): Gateway {
  const config = loadConfig(configShape, {
    JWT_SECRET: testTokenSettings.secret,
    SERVICE_TOKEN_SECRET: testServiceSecret,
    USER_SERVICE_URL: urls.user,
    MESSAGE_SERVICE_URL: urls.message,
    CHANNEL_SERVICE_URL: urls.channel,
    STATS_SERVICE_URL: urls.stats,
    ACTIVITY_FLUSH_MS: '3600000',
    ...env,
  });
  const clients = createClients({ config, serviceTokens: new ServiceTokenMinter(testServiceKeys('gateway-service')) });
  const gateway = createGateway({
    logger: createLogger('gateway-service', 'silent'),
    tokens: testTokenSettings,
    settings: settingsFrom(config),
    clients,
  });
  return {
    ...gateway,
    async shutdown() {
      await gateway.shutdown();
      clients.close();
    },
  };
}

/** Four echoing upstreams, one per service. */
export async function startUpstreams(): Promise<UpstreamSet> {
  const [user, message, channel, stats] = await Promise.all([
    startUpstream('user-service'),
    startUpstream('message-service'),
    startUpstream('channel-service'),
    startUpstream('stats-service'),
  ]);
  return { user, message, channel, stats };
}

export function urlsOf(u: UpstreamSet) {
  return { user: u.user.url, message: u.message.url, channel: u.channel.url, stats: u.stats.url };
}

export function upstreamsOf(u: UpstreamSet): Upstream[] {
  return [u.user, u.message, u.channel, u.stats];
}

export async function closeAll(u: UpstreamSet): Promise<void> {
  await Promise.all(upstreamsOf(u).map((x) => x.close()));
}

/** The gateway of one test file over four echoing upstreams, seen through one entry point. */
export interface EchoGateway {
  readonly up: UpstreamSet;
  readonly gw: Gateway;
  entry(): Gateway['handler'] | Gateway['app'];
}

/** Starts four echoing upstreams and one gateway over them for the file (beforeAll), closed in afterAll. */
export function useEchoGateway(): { readonly up: UpstreamSet; readonly gw: Gateway } {
  let up: UpstreamSet;
  let gw: Gateway;
  beforeAll(async () => {
    up = await startUpstreams();
    gw = buildGateway(urlsOf(up));
  });
  afterAll(async () => {
    await gw.shutdown();
    await closeAll(up);
  });
  return {
    get up() {
      return up;
    },
    get gw() {
      return gw;
    },
  };
}

/**
 * Starts the upstreams and one gateway for the file, then declares `suite` twice: the server runs
 * the fast path, and Express alone (ACCESS_LOG=all) must give the same answers.
 */
export function describeBothEntries(suite: (g: EchoGateway) => void): void {
  const echo = useEchoGateway();
  describe.each([
    ['through the fast path', 'handler'],
    ['through Express alone', 'app'],
  ] as const)('%s', (_how, key) => {
    suite({
      get up() {
        return echo.up;
      },
      get gw() {
        return echo.gw;
      },
      entry: () => echo.gw[key],
    });
  });
}

/** A gateway whose `services` are one raw server misbehaving as `handler` wants, the others echoing. */
export interface RawUpstreamGateway {
  gw: Gateway;
  close(): Promise<void>;
}

export async function gatewayOverRaw(
  up: UpstreamSet,
  services: Array<keyof UpstreamSet>,
  handler: http.RequestListener,
  env: Record<string, string> = {},
): Promise<RawUpstreamGateway> {
  const raw = await startRawServer(handler);
  const gw = buildGateway({ ...urlsOf(up), ...Object.fromEntries(services.map((s) => [s, raw.url])) }, env);
  return {
    gw,
    close: async () => {
      await gw.shutdown();
      await raw.close();
    },
  };
}
