import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import type { Express } from 'express';
import type { Knex } from '@canaduck/db';
import { ServiceTokenMinter, type TokenSettings } from '@canaduck/auth';
import { createTestDatabase, testTokenSettings, uniqueName, type TestDbKind, testServiceKeys } from '@canaduck/testing';
import { createUserApp, type UserApp } from '../src/app';
import { createClients } from '../src/clients';
import type { Settings } from '../src/config';
import type { AccountService } from '../src/domain/account-service';
import { migrations } from '../src/migrations';

export * from './stream-and-door';

export const CHANNEL_URL = 'http://channel-service.test';
export const PASSWORD = 'correct horse battery';

export interface TestService {
  app: Express;
  /** The same app listening on an ephemeral port (its own event feed is read back through it). */
  url: string;
  backbone: UserApp['backbone'];
  /** The test database (fault injection). */
  knex: Knex;
  revocation: UserApp['revocation'];
  /** The orphaned guests' sweep (never started here: tests call its sweep()). */
  guestSweeper: UserApp['guestSweeper'];
  /** Starts the workers main.ts starts: the event backbone and the revocation map. */
  startWorkers(): Promise<void>;
  /** The domain's account service, as main.ts gets it (the first admin at start-up). */
  accounts: AccountService;
  /** Log lines written by the app, parsed (audit checks). */
  logs: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export interface TestOptions {
  settings?: Partial<Settings>;
  tokens?: TokenSettings;
  now?: () => number;
  /** Start the event backbone and the revocation map, as main.ts does. */
  workers?: boolean;
  /** Another replica: this database (another service's `knex`) instead of a fresh one, left open at close. */
  database?: Knex;
}

/** A user-service on a fresh database of the given kind, as main.ts builds it. */
export async function startService(kind: TestDbKind, opts: TestOptions = {}): Promise<TestService> {
  const db = opts.database
    ? { knex: opts.database, destroy: () => Promise.resolve() }
    : await createTestDatabase('user-service', migrations, kind);
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = pino({ level: 'info' }, sink);
  const settings: Settings = {
    jwtExpiresInSeconds: 3600,
    bcryptCost: 4,
    presenceTimeoutSeconds: 300,
    whoisChannelsTimeoutMs: 300,
    channelServiceUrl: CHANNEL_URL,
    eventRetentionMs: 7 * 24 * 3600 * 1000,
    ...opts.settings,
  };
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  // The same clients as main.ts builds, pointed at the URL the tests nock.
  const clients = createClients({
    config: {
      CHANNEL_SERVICE_URL: settings.channelServiceUrl,
      WHOIS_CHANNELS_TIMEOUT_MS: settings.whoisChannelsTimeoutMs,
      PORT: port,
      NATS_URL: settings.natsUrl,
    },
    natsNamespace: settings.natsNamespace,
    serviceTokens: new ServiceTokenMinter(testServiceKeys('user-service')),
    logger,
  });
  let service: ReturnType<typeof createUserApp>;
  try {
    service = createUserApp({
      logger,
      knex: db.knex,
      tokens: opts.tokens ?? testTokenSettings,
      serviceKeys: testServiceKeys('user-service'),
      settings,
      clients,
      now: opts.now,
    });
  } catch (err) {
    await clients.close();
    await closeServer(server);
    await db.destroy();
    throw err;
  }
  server.on('request', service.app);
  const { backbone, revocation } = service;
  const startWorkers = async () => {
    await backbone.start();
    revocation.start();
  };
  if (opts.workers) await startWorkers();
  return {
    app: service.app,
    url: `http://127.0.0.1:${port}`,
    accounts: service.accounts,
    backbone,
    revocation,
    guestSweeper: service.guestSweeper,
    knex: db.knex,
    startWorkers,
    logs,
    close: async () => {
      await service.guestSweeper.stop();
      await revocation.stop();
      await backbone.stop();
      await clients.close();
      await closeServer(server);
      await db.destroy();
    },
  };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

export interface TestUser {
  pseudo: string;
  password: string;
  email: string;
}

/** Registers a uniquely named user through the API. */
export async function registerUser(app: Express, prefix = 'u'): Promise<TestUser> {
  const pseudo = uniqueName(prefix);
  const user = { pseudo, password: PASSWORD, email: `${pseudo}@canaduck.example` };
  const res = await request(app).post('/register').send(user);
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return user;
}

/** Logs in through the API and returns `Bearer <token>`. */
export async function loginAs(app: Express, user: { pseudo: string; password: string }): Promise<string> {
  const res = await request(app).post('/login').send({ pseudo: user.pseudo, password: user.password });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return `Bearer ${res.body.token as string}`;
}

/** A registered, logged-in user. */
export async function signedUp(app: Express, prefix = 'u'): Promise<TestUser & { auth: string }> {
  const user = await registerUser(app, prefix);
  return { ...user, auth: await loginAs(app, user) };
}

/** An admin made the way production makes the first one (start-up bootstrap), logged in through the API. */
export async function signedUpAdmin(service: TestService, prefix = 'adm'): Promise<TestUser & { auth: string }> {
  const pseudo = uniqueName(prefix);
  const admin = { pseudo, password: PASSWORD, email: `${pseudo}@canaduck.example` };
  await service.accounts.ensureFirstAdmin(admin);
  return { ...admin, auth: await loginAs(service.app, admin) };
}

export function auditLines(service: TestService, event: string): Array<Record<string, unknown>> {
  return service.logs.filter((l) => l.audit === true && l.event === event);
}

/**
 * One service for a whole suite: started before its tests and closed after them. The object is
 * filled in by the beforeAll hook, so read its fields inside tests only.
 */
export function useService(kind: TestDbKind, opts: TestOptions = {}): TestService {
  const svc = {} as TestService;
  beforeAll(async () => {
    Object.assign(svc, await startService(kind, opts));
  });
  afterAll(async () => {
    await svc.close();
  });
  return svc;
}
