import crypto from 'node:crypto';
import http from 'node:http';
import { ServiceTokenMinter, serviceKeysFrom } from '@canaduck/auth';
import { createLogger } from '@canaduck/logging';
import { createIrcApp, type IrcApp } from '../src/app';
import { createClients } from '../src/clients';
import type { Settings } from '../src/config';

import { TestClient, type TestUser } from './irc-clients';

export { RawClient, TestClient, type TestUser } from './irc-clients';

const { startStack, stopStack } = require('./global-setup');

export interface Stack {
  urls: { user: string; channel: string; message: string };
  secret: string;
  /** The stack's first administrator (ADMIN_PSEUDO): an IRC operator on the door. */
  admin: TestUser;
}

/**
 * The real services of this test run: the ones jest's globalSetup started, or (when the file runs
 * without it, e.g. from the root project list) a stack of this file's own.
 */
export function useStack(): () => Stack {
  let stack: Stack | undefined;
  let own: (Stack & { children: unknown[] }) | undefined;
  beforeAll(async () => {
    if (process.env.IRC_TEST_STACK) stack = JSON.parse(process.env.IRC_TEST_STACK) as Stack;
    else stack = own = await startStack();
  }, 90000);
  afterAll(async () => {
    if (own) await stopStack(own);
  });
  return () => stack as Stack;
}

export function testSettings(stack: Stack, overrides: Partial<Settings> = {}): Settings {
  return {
    ircPort: 0,
    serverName: 'irc.test',
    network: 'CanaDuckTest',
    userHost: 'canaduck',
    motd: ['hello from the test door'],
    guests: false,
    guestLeaseSeconds: 60,
    // Doors of one test process share a pid: each its own id, or one would reclaim another's guests.
    instanceId: unique('door'),
    pingIntervalMs: 60000,
    pingTimeoutMs: 120000,
    registrationTimeoutMs: 60000,
    sendqBytes: 256 * 1024,
    recvqLines: 64,
    fakelag: { burst: 50, windowMs: 1000, messages: 50, cooldownMs: 2000 },
    loginRateMax: 1000,
    loginRateWindowMs: 60000,
    feedPollMs: 50,
    feedWaitSeconds: 3,
    // message-service's feed does not long-poll yet: polled; channel-service's is long-polled.
    eventTransport: 'auto',
    eventStreams: ['message', 'channel', 'user'],
    natsNamespace: 'canaduck',
    chathistoryMax: 100,
    serviceUrls: stack.urls,
    httpTimeoutMs: 4000,
    createdAt: new Date(),
    ...overrides,
  };
}

/** The stack (useStack) and one door over it for the whole file, stopped after its tests. */
export function useDoor(overrides: Partial<Settings> = {}): { stack: () => Stack; door: () => Door } {
  const stack = useStack();
  return { stack, door: useDoorOn(stack, overrides) };
}

export interface Door {
  irc: IrcApp;
  port: number;
  tlsPort?: number;
  stop(): Promise<void>;
}

/** The irc-service built as main.ts builds it, listening on an ephemeral port. */
export async function startDoor(stack: Stack, overrides: Partial<Settings> = {}): Promise<Door> {
  const settings = testSettings(stack, overrides);
  const logger = createLogger('irc-service', 'silent');
  const clients = createClients({
    config: {
      USER_SERVICE_URL: stack.urls.user,
      CHANNEL_SERVICE_URL: stack.urls.channel,
      MESSAGE_SERVICE_URL: stack.urls.message,
      HTTP_TIMEOUT_MS: settings.httpTimeoutMs,
    },
    settings,
    serviceTokens: new ServiceTokenMinter(serviceKeysFrom({ service: 'irc-service', secret: stack.secret })),
    logger,
  });
  const irc = createIrcApp({ logger, settings, clients });
  const { port, tlsPort } = await irc.start('127.0.0.1');
  return {
    irc,
    port,
    tlsPort,
    async stop() {
      await irc.stop('test over');
      clients.close();
    },
  };
}

/** One door over a stack the file already uses (useStack): started before its tests, stopped after them. */
export function useDoorOn(stack: () => Stack, overrides: Partial<Settings> = {}): () => Door {
  let door: Door | undefined;
  beforeAll(async () => {
    door = await startDoor(stack(), overrides);
  });
  afterAll(async () => {
    await door?.stop();
  });
  return () => door as Door;
}

export const unique = (prefix: string): string => `${prefix}${crypto.randomBytes(4).toString('hex')}`;

/** One REST call over plain http without keep-alive (no pooled socket outlives a test file). */
export function rest<T = Record<string, unknown>>(
  url: string,
  method: string,
  path: string,
  o: { token?: string; body?: unknown } = {},
): Promise<{ status: number; body: T }> {
  const payload = o.body === undefined ? undefined : JSON.stringify(o.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      url + path,
      {
        method,
        agent: false,
        headers: {
          'content-type': 'application/json',
          ...(payload ? { 'content-length': Buffer.byteLength(payload) } : {}),
          ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : {}) as T }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** A new account on the real user-service. */
export async function newUser(stack: Stack, prefix = 'u'): Promise<TestUser> {
  const pseudo = unique(prefix);
  const password = 'correct horse battery';
  const r = await rest(stack.urls.user, 'POST', '/register', { body: { pseudo, password, email: `${pseudo}@test.example` } });
  if (r.status !== 201) throw new Error(`register ${pseudo}: ${r.status} ${JSON.stringify(r.body)}`);
  return { pseudo, password };
}

/** Two new accounts, each connected to the door on `port` (`echoA`: the first asks for echo-message). */
export async function twoConnected(stack: Stack, port: number, o: { echoA?: boolean } = {}) {
  const [a, b] = await Promise.all([newUser(stack, 'a'), newUser(stack, 'b')]);
  const [ca, cb] = await Promise.all([TestClient.connect(port, a, { echo: o.echoA }), TestClient.connect(port, b)]);
  return { a, b, ca, cb };
}

export async function restToken(stack: Stack, u: TestUser): Promise<string> {
  const r = await rest<{ token: string }>(stack.urls.user, 'POST', '/login', { body: u });
  return r.body.token;
}
