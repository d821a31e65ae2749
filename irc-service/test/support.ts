import crypto from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { ServiceTokenMinter, serviceKeysFrom } from '@canaduck/auth';
import { createLogger } from '@canaduck/logging';
import { Client } from 'irc-framework';
import { createIrcApp, type IrcApp } from '../src/app';
import { createClients } from '../src/clients';
import type { Settings } from '../src/config';
import { parseLine, type IrcMessage } from '../src/protocol/irc-line';

const { startStack, stopStack } = require('./global-setup');

export interface Stack {
  urls: { user: string; channel: string; message: string };
  secret: string;
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
    eventStreams: ['message', 'channel'],
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

/** One door for a whole test file: started before its tests, stopped after them. */
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

export interface TestUser {
  pseudo: string;
  password: string;
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

export async function restToken(stack: Stack, u: TestUser): Promise<string> {
  const r = await rest<{ token: string }>(stack.urls.user, 'POST', '/login', { body: u });
  return r.body.token;
}

/** Collects lines and waits for the one a test expects. */
class LineWaiter {
  readonly lines: IrcMessage[] = [];
  private waiters: Array<{ pred: (m: IrcMessage) => boolean; resolve: (m: IrcMessage) => void }> = [];

  push(raw: string): void {
    let m: IrcMessage;
    try {
      m = parseLine(raw);
    } catch {
      return;
    }
    this.lines.push(m);
    this.waiters = this.waiters.filter((w) => {
      if (!w.pred(m)) return true;
      w.resolve(m);
      return false;
    });
  }

  /** The first line (already received or to come) matching; `command` may be a numeric. */
  waitFor(pred: ((m: IrcMessage) => boolean) | string, timeoutMs = 5000, from = 0): Promise<IrcMessage> {
    const p = typeof pred === 'string' ? (m: IrcMessage) => m.command === pred : pred;
    const seen = this.lines.slice(from).find(p);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no line matching ${String(pred)} within ${timeoutMs} ms; got:\n${this.dump()}`)),
        timeoutMs,
      );
      this.waiters.push({
        pred: p,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  /** Lines received from now on only. */
  mark(): number {
    return this.lines.length;
  }

  dump(): string {
    return this.lines.map((l) => `${l.command} ${l.params.join(' ')}`).join('\n');
  }
}

/** A real irc-framework client (the library The Lounge uses), logged in with SASL PLAIN. */
export class TestClient extends LineWaiter {
  readonly irc: InstanceType<typeof Client>;
  private closed: Promise<void>;

  constructor(port: number, user: TestUser, o: { echo?: boolean; nick?: string } = {}) {
    super();
    this.irc = new Client({
      host: '127.0.0.1',
      port,
      nick: o.nick ?? user.pseudo,
      username: user.pseudo,
      gecos: `${user.pseudo} test`,
      account: { account: user.pseudo, password: user.password },
      auto_reconnect: false,
      enable_echomessage: o.echo ?? false,
    });
    this.irc.on('raw', (e: { line: string; from_server: boolean }) => e.from_server && this.push(e.line.replace(/\r?\n$/, '')));
    this.closed = new Promise((r) => this.irc.once('close', () => r()));
  }

  static async connect(port: number, user: TestUser, o: { echo?: boolean; nick?: string } = {}): Promise<TestClient> {
    const c = new TestClient(port, user, o);
    c.irc.connect();
    await c.waitFor((m) => m.command === '376' || m.command === '422');
    return c;
  }

  /** Each argument is one whole line. */
  send(...lines: string[]): void {
    for (const line of lines) this.irc.raw(line);
  }

  async close(): Promise<void> {
    this.irc.quit('bye');
    await Promise.race([this.closed, new Promise((r) => setTimeout(r, 2000))]);
    this.irc.connection?.end?.();
  }
}

/** A bare TCP client for what a library would not send: bad lines, floods, broken framing. */
export class RawClient extends LineWaiter {
  readonly socket: net.Socket;
  readonly ended: Promise<void>;

  private constructor(socket: net.Socket) {
    super();
    this.socket = socket;
    let buf = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        this.push(buf.slice(0, i).replace(/\r$/, ''));
        buf = buf.slice(i + 1);
      }
    });
    socket.on('error', () => undefined);
    this.ended = new Promise((r) => socket.once('close', () => r()));
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  send(...lines: string[]): void {
    this.socket.write(lines.map((l) => l + '\r\n').join(''));
  }

  /** Registers with PASS <pseudo>:<password>. */
  async register(u: TestUser): Promise<void> {
    this.send(`PASS ${u.pseudo}:${u.password}`, `NICK ${u.pseudo}`, `USER ${u.pseudo} 0 * :${u.pseudo}`);
    await this.waitFor((m) => m.command === '376' || m.command === '422');
  }

  async close(): Promise<void> {
    this.socket.end();
    this.socket.destroy();
    await this.ended;
  }
}
