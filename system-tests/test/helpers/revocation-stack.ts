import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createTcpServer, connect, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import request from 'supertest';
import { connect as natsConnect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { ServiceTokenMinter, type TokenRevocation } from '@canaduck/auth';
import { natsStreamName, userStreamTransport, type EventTransport } from '@canaduck/events';
import { createLogger } from '@canaduck/logging';
import {
  createTestDatabase,
  testTokenSettings,
  uniqueName,
  type TestDatabase,
  type TestDbKind,
  testServiceKeys,
  serviceToken,
} from '@canaduck/testing';
import { createUserApp, type UserApp } from '../../../user-service/src/app';
import { createClients as userClients } from '../../../user-service/src/clients';
import { migrations as userMigrations } from '../../../user-service/src/migrations';
import { createChannelApp } from '../../../channel-service/src/app';
import { createClients as channelClients } from '../../../channel-service/src/clients';
import { migrations as channelMigrations } from '../../../channel-service/src/migrations';
import { createStatsApp } from '../../../stats-service/src/app';
import { createClients as statsClients } from '../../../stats-service/src/clients';
import { migrations as statsMigrations } from '../../../stats-service/src/migrations';

export type TransportKind = 'http' | 'nats';
export const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
export const PASSWORD = 'correct horse battery';
const logger = createLogger('revocation-test', process.env.TEST_LOG_LEVEL ?? 'silent');

/** A TCP relay that can be cut: the user stream "down" for one consumer while user-service answers. */
export class CuttableRelay {
  private server: TcpServer | undefined;
  private readonly sockets = new Set<Socket>();
  private cut = false;
  port = 0;

  constructor(
    private readonly host: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<void> {
    this.server = createTcpServer((client) => {
      if (this.cut) return void client.destroy();
      const upstream = connect(this.targetPort, this.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Every connection through the relay is dropped and new ones are refused. */
  down(): void {
    this.cut = true;
    for (const s of this.sockets) s.destroy();
  }

  /** Lets connections through again. */
  up(): void {
    this.cut = false;
  }

  async close(): Promise<void> {
    this.down();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

export interface Consumer {
  name: 'channel-service' | 'stats-service' | 'message-service' | 'gateway-service';
  app: Express | RequestListener;
  /** A route that authenticates the caller and only reads (for this caller). */
  probe: (pseudo: string) => string;
  revocation: TokenRevocation;
  close(): Promise<void>;
}

export interface UserSide {
  app: Express;
  url: string;
  user: UserApp;
  db: TestDatabase;
  close(): Promise<void>;
}

export interface StackOptions {
  kind: TestDbKind;
  transport: TransportKind;
  namespace: string;
}

/** user-service, listening on an ephemeral port, with its event backbone and revocation map started. */
export async function startUserService(o: StackOptions): Promise<UserSide> {
  const db = await createTestDatabase('user-service', userMigrations, o.kind);
  const server: Server = createHttpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const natsUrl = o.transport === 'nats' ? NATS_URL : undefined;
  const clients = userClients({
    config: { CHANNEL_SERVICE_URL: 'http://channel-service.test', WHOIS_CHANNELS_TIMEOUT_MS: 300, PORT: port, NATS_URL: natsUrl },
    natsNamespace: o.namespace,
    serviceTokens: new ServiceTokenMinter(testServiceKeys('user-service')),
    logger,
  });
  const user = createUserApp({
    logger,
    knex: db.knex,
    tokens: testTokenSettings,
    serviceKeys: testServiceKeys('user-service'),
    settings: {
      jwtExpiresInSeconds: 3600,
      bcryptCost: 4,
      presenceTimeoutSeconds: 300,
      whoisChannelsTimeoutMs: 300,
      channelServiceUrl: 'http://channel-service.test',
      eventRetentionMs: 7 * 24 * 3600 * 1000,
      natsUrl,
      natsNamespace: o.namespace,
    },
    clients,
  });
  server.on('request', user.app);
  await user.backbone.start();
  user.revocation.start();
  return {
    app: user.app,
    url: `http://127.0.0.1:${port}`,
    user,
    db,
    close: async () => {
      await user.revocation.stop();
      await user.backbone.stop();
      await clients.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await db.destroy();
    },
  };
}

/**
 * The user stream as a consumer reads it: straight from user-service (or NATS), or through a relay
 * that the test can cut. user-service's own internal routes stay reachable either way.
 */
export function consumerStream(o: StackOptions, userUrl: string, relay?: CuttableRelay): EventTransport {
  const natsUrl = o.transport === 'nats' ? (relay ? `nats://127.0.0.1:${relay.port}` : NATS_URL) : undefined;
  return userStreamTransport({
    config: { NATS_URL: natsUrl, USER_SERVICE_URL: relay && o.transport === 'http' ? `http://127.0.0.1:${relay.port}` : userUrl },
    natsNamespace: o.namespace,
    // A reader of the user stream as the gateway is (an allowed caller of the feed).
    serviceTokens: { get: (callee) => serviceToken('gateway-service', callee) },
    logger,
  });
}

/** channel-service as main.ts builds it (revocation map started), on a fresh database. */
export async function startChannelService(o: StackOptions, userUrl: string, relay?: CuttableRelay, db?: TestDatabase): Promise<Consumer> {
  const database = db ?? (await createTestDatabase('channel-service', channelMigrations, o.kind));
  const built = channelClients({
    config: { USER_SERVICE_URL: userUrl, HTTP_TIMEOUT_MS: 2000, NATS_URL: o.transport === 'nats' ? NATS_URL : undefined },
    natsNamespace: o.namespace,
    serviceTokens: new ServiceTokenMinter(testServiceKeys('channel-service')),
    logger,
  });
  const clients = relay ? { ...built, userEvents: consumerStream(o, userUrl, relay) } : built;
  const { app, revocation } = createChannelApp({
    logger,
    knex: database.knex,
    tokens: testTokenSettings,
    serviceKeys: testServiceKeys('channel-service'),
    // The default retention (EVENT_RETENTION 7d): these tests never reach it.
    settings: { bodyLimit: '100kb', eventRetentionMs: 7 * 86_400_000 },
    clients,
  });
  revocation.start();
  return {
    name: 'channel-service',
    app,
    probe: () => '/channel',
    revocation,
    close: async () => {
      await revocation.stop();
      await built.close();
      if (relay) await clients.userEvents.close();
      if (!db) await database.destroy();
    },
  };
}

/** stats-service as main.ts builds it (its feed poller left out: these tests are about tokens). */
export async function startStatsService(o: StackOptions, userUrl: string): Promise<Consumer> {
  const db = await createTestDatabase('stats-service', statsMigrations, o.kind);
  const clients = statsClients({
    config: {
      MESSAGE_SERVICE_URL: 'http://message-service.test',
      CHANNEL_SERVICE_URL: 'http://channel-service.test',
      USER_SERVICE_URL: userUrl,
      HTTP_TIMEOUT_MS: 2000,
      NATS_URL: o.transport === 'nats' ? NATS_URL : undefined,
      STATS_FEED_WAIT_S: 20,
    },
    natsNamespace: o.namespace,
    serviceTokens: new ServiceTokenMinter(testServiceKeys('stats-service')),
    logger,
  });
  const { app, revocation } = createStatsApp({
    logger,
    knex: db.knex,
    tokens: testTokenSettings,
    serviceKeys: testServiceKeys('stats-service'),
    settings: { pollMs: 1000, batchSize: 500, channelRefreshMs: 0, feedStaleMs: 25_000 },
    clients,
  });
  revocation.start();
  return {
    name: 'stats-service',
    app,
    probe: () => '/stats/active-channels',
    revocation,
    close: async () => {
      await revocation.stop();
      await clients.close();
      await db.destroy();
    },
  };
}

export async function deleteStreams(namespace: string): Promise<void> {
  const nc = await natsConnect({ servers: NATS_URL });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(natsStreamName('user', namespace)).catch(() => undefined);
  } finally {
    await nc.close();
  }
}

export interface Account {
  pseudo: string;
  password: string;
  auth: string;
}

export async function login(app: Express, pseudo: string, password = PASSWORD): Promise<string> {
  const res = await request(app).post('/login').send({ pseudo, password });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return `Bearer ${res.body.token as string}`;
}

export async function signedUp(app: Express, prefix = 'u'): Promise<Account> {
  const pseudo = uniqueName(prefix);
  const res = await request(app)
    .post('/register')
    .send({ pseudo, password: PASSWORD, email: `${pseudo}@canaduck.example` });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { pseudo, password: PASSWORD, auth: await login(app, pseudo) };
}

export async function signedUpAdmin(side: UserSide, prefix = 'adm'): Promise<Account> {
  const pseudo = uniqueName(prefix);
  await side.user.accounts.ensureFirstAdmin({ pseudo, password: PASSWORD, email: `${pseudo}@canaduck.example` });
  return { pseudo, password: PASSWORD, auth: await login(side.app, pseudo) };
}

/** Percentile of a sample (nearest rank). */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
