import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ServiceTokenMinter, serviceKeysFrom } from '@canaduck/auth';
import { commonShape, loadConfig } from '@canaduck/config';
import type { Knex } from '@canaduck/db';
import { createLogger } from '@canaduck/logging';
import { appBase, serviceKeysOf, serviceSecretFrom, tokenSettingsFrom } from '@canaduck/service-kit';
import { freePort, waitUntil } from '@canaduck/testing';

const LIBRARIES = path.resolve(__dirname, '..', '..');
const SECRET = 'run-service-test-secret-32-characters-long';

/**
 * A child process that loads the libraries' TypeScript sources (transpiled on the fly,
 * `@canaduck/*` mapped to `libraries/*\/src`) and runs a service with runService:
 * the real start-up and shutdown path, signals and exit codes included.
 */
function startChild(
  env: Record<string, string>,
  routeDelayMs = 2500,
): { child: ChildProcess; out: () => string; err: () => string; exited: Promise<number | null> } {
  const runner = `
    const fs = require('fs');
    const path = require('path');
    const Module = require('module');
    const ts = require('typescript');
    const resolve = Module._resolveFilename;
    Module._resolveFilename = function (request, ...rest) {
      const m = /^@canaduck\\/([a-z-]+)$/.exec(request);
      if (m) return path.join(${JSON.stringify(LIBRARIES)}, m[1], 'src', 'index.ts');
      return resolve.call(this, request, ...rest);
    };
    require.extensions['.ts'] = (mod, file) => mod._compile(ts.transpileModule(fs.readFileSync(file, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText, file);
    const { runService, createServiceApp } = require('@canaduck/service-kit');
    const { commonShape, port } = require('@canaduck/config');
    const { pingDatabase } = require('@canaduck/db');
    runService({
      name: 'kit-test',
      shape: { ...commonShape, PORT: port(1) },
      migrations: [{ name: '001-items', up: (k) => k.schema.createTable('items', (t) => { t.increments('id'); }) }],
      build: (ctx) => ({
        app: createServiceApp({
          name: 'kit-test',
          logger: ctx.logger,
          openapi: { title: 'kit' },
          readiness: { database: () => pingDatabase(ctx.knex) },
          routes: (app) => {
            app.get('/slow', async (_req, res) => {
              process.stdout.write('{"hook":"slow started"}\\n');
              await new Promise((r) => setTimeout(r, ${routeDelayMs}));
              process.stdout.write('{"hook":"slow done"}\\n');
              res.json({ done: true, items: await ctx.knex('items').count({ n: '*' }) });
            });
          },
        }),
        workers: ['a', 'b'].map((w) => ({
          start: () => process.stdout.write('{"hook":"' + w + ' started"}\\n'),
          stop: () => process.stdout.write('{"hook":"' + w + ' stopped"}\\n'),
        })),
        clients: { close: () => process.stdout.write('{"hook":"clients closed"}\\n') },
        onShutdown: [() => process.stdout.write('{"hook":"ran"}\\n')],
      }),
    });
  `;
  let out = '';
  let err = '';
  const child = spawn(process.execPath, ['-e', runner], {
    cwd: path.join(__dirname, '..'),
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (err += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exited };
}

/** A GET on a connection of its own, never one kept alive by an earlier call: what a new client sees. */
function freshGet(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', reject);
  });
}

async function waitReady(url: string, timeoutMs = 20000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(`${url}/ready`)).ok) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error('service not ready in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('runService in a real process', () => {
  let dataDir: string;
  const children: ChildProcess[] = [];
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'canaduck-kit-'));
  });
  afterEach(() => {
    children.splice(0).forEach((c) => c.exitCode === null && c.kill('SIGKILL'));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'when %s arrives during a request, then new connections are refused, the request finishes, workers, hooks and clients stop in order and the exit code is 0',
    async (signal) => {
      const port = await freePort();
      const svc = startChild({ PORT: String(port), JWT_SECRET: SECRET, DATA_DIR: dataDir, SHUTDOWN_TIMEOUT_MS: '60000' });
      children.push(svc.child);
      const url = `http://127.0.0.1:${port}`;
      await waitReady(url);
      expect(fs.existsSync(path.join(dataDir, 'kit-test.sqlite'))).toBe(true);

      const inFlight = fetch(`${url}/slow`).then(async (r) => ({ status: r.status, body: await r.json() }));
      // Signal once the request is being served, and probe once the shutdown has begun: states, not delays.
      await waitUntil(() => svc.out().includes('"slow started"'), 'the request is in flight', 15_000);
      svc.child.kill(signal);
      await waitUntil(() => svc.out().includes('shutting down'), 'the shutdown has begun', 15_000);
      await expect(freshGet(`${url}/health`)).rejects.toThrow();

      await expect(inFlight).resolves.toEqual({ status: 200, body: { done: true, items: [{ n: 0 }] } });
      const finished = Date.now();
      expect(await svc.exited).toBe(0);
      // The keep-alive socket of the finished request must not hold the exit until the 60 s timeout.
      expect(Date.now() - finished).toBeLessThan(15_000);
      const lines = svc
        .out()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const messages = lines.map((l) => l.msg ?? l.hook);
      expect(messages).toEqual(
        expect.arrayContaining(['database ready', 'listening', 'shutting down: finishing requests in flight', 'ran', 'stopped']),
      );
      // Workers start in order before the server listens and stop in reverse, then the hooks, then the clients.
      const order = ['a started', 'b started', 'listening', 'b stopped', 'a stopped', 'ran', 'clients closed', 'stopped'];
      expect(messages.filter((m) => order.includes(m as string))).toEqual(order);
      // The request really was in flight: the shutdown began before it finished.
      expect(messages.indexOf('shutting down: finishing requests in flight')).toBeLessThan(messages.indexOf('slow done'));
      expect(lines.find((l) => l.msg === 'shutting down: finishing requests in flight')).toMatchObject({ signal, service: 'kit-test' });
    },
    30000,
  );

  it('when the configuration is wrong, then the process lists every problem and exits with 1 before listening', async () => {
    const svc = startChild({ PORT: 'abc', JWT_SECRET: 'short', LOG_LEVEL: 'loud', DATA_DIR: dataDir });
    children.push(svc.child);
    expect(await svc.exited).toBe(1);
    expect(svc.err()).toContain('invalid configuration:');
    expect(svc.err()).toContain('JWT_SECRET: JWT_SECRET must be at least 32 characters');
    expect(svc.err()).toMatch(/PORT: /);
    expect(svc.err()).toMatch(/LOG_LEVEL: /);
    expect(svc.out()).not.toContain('listening');
  }, 30000);

  it('when NODE_ENV is production without service keys, then the process refuses to start, says which keys, and exits with 1', async () => {
    const port = await freePort();
    const svc = startChild({
      PORT: String(port),
      JWT_SECRET: SECRET,
      SERVICE_TOKEN_SECRET: SECRET,
      NODE_ENV: 'production',
      DATA_DIR: dataDir,
    });
    children.push(svc.child);
    expect(await svc.exited).toBe(1);
    expect(svc.err()).toContain('invalid configuration:');
    expect(svc.err()).toMatch(/SERVICE_PRIVATE_KEY: Required in production/);
    expect(svc.err()).toMatch(/SERVICE_PUBLIC_KEYS: Required in production/);
    expect(svc.out()).not.toContain('listening');
    await expect(freshGet(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  }, 30000);

  it('when the port is already taken, then start-up fails with exit code 1 and a fatal log line', async () => {
    const blocker = http.createServer();
    await new Promise<void>((r) => blocker.listen(0, '0.0.0.0', r));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const svc = startChild({ PORT: String(port), JWT_SECRET: SECRET, DATA_DIR: dataDir });
      children.push(svc.child);
      expect(await svc.exited).toBe(1);
      expect(svc.out()).toMatch(/"level":60.*start-up failed/);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  }, 30000);
});

describe('service context helpers', () => {
  it('when the config holds PEM keys with escaped newlines, then the token settings have real newlines', () => {
    const c = loadConfig(commonShape, {
      JWT_SECRET: SECRET,
      JWT_ALGORITHM: 'RS256',
      JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\\nAAA\\n-----END PUBLIC KEY-----',
    });
    expect(tokenSettingsFrom(c)).toEqual({
      secret: SECRET,
      issuer: 'canaduck-user-service',
      audience: 'canaduck-irc',
      algorithm: 'RS256',
      publicKey: '-----BEGIN PUBLIC KEY-----\nAAA\n-----END PUBLIC KEY-----',
      privateKey: undefined,
    });
  });

  it('when SERVICE_TOKEN_SECRET is set, then it signs service tokens; otherwise JWT_SECRET does', () => {
    expect(serviceSecretFrom(loadConfig(commonShape, { JWT_SECRET: SECRET }))).toBe(SECRET);
    expect(serviceSecretFrom(loadConfig(commonShape, { JWT_SECRET: SECRET, SERVICE_TOKEN_SECRET: 'z'.repeat(32) }))).toBe('z'.repeat(32));
  });

  it('when no service keys are set, then they are derived per service; with both set, they are used; one alone fails', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const pair = generateKeyPairSync('ed25519');
    const pem = (k: import('node:crypto').KeyObject, type: 'pkcs8' | 'spki') => k.export({ format: 'pem', type }).toString();
    const derived = serviceKeysOf('gateway-service', loadConfig(commonShape, { JWT_SECRET: SECRET }));
    expect(derived.privateKey.asymmetricKeyType).toBe('ed25519');
    expect(derived.publicKeyOf('user-service')).toBeDefined();
    const env = {
      JWT_ALGORITHM: 'EdDSA',
      JWT_PUBLIC_KEY: pem(pair.publicKey, 'spki'),
      SERVICE_PRIVATE_KEY: pem(pair.privateKey, 'pkcs8'),
      SERVICE_PUBLIC_KEYS: JSON.stringify({ 'gateway-service': pem(pair.publicKey, 'spki') }),
    };
    const configured = serviceKeysOf('user-service', loadConfig(commonShape, env));
    expect(configured.publicKeyOf('gateway-service')).toBeDefined();
    expect(configured.publicKeyOf('stats-service')).toBeUndefined();
    expect(() => serviceKeysOf('user-service', loadConfig(commonShape, { ...env, SERVICE_PUBLIC_KEYS: undefined }))).toThrow(/go together/);
  });

  it('when a service owns a database, then appBase gives its logger, knex, token settings and service keys; without one it throws', () => {
    const ctx = {
      config: {},
      logger: createLogger('x', 'silent'),
      knex: {} as Knex,
      tokens: tokenSettingsFrom(loadConfig(commonShape, { JWT_SECRET: SECRET })),
      serviceSecret: 's'.repeat(32),
      serviceKeys: serviceKeysFrom({ service: 'x', secret: 's'.repeat(32) }),
      serviceTokens: new ServiceTokenMinter(serviceKeysFrom({ service: 'x', secret: 's'.repeat(32) })),
    };
    expect(appBase(ctx)).toEqual({ logger: ctx.logger, knex: ctx.knex, tokens: ctx.tokens, serviceKeys: ctx.serviceKeys });
    expect(() => appBase({ ...ctx, knex: undefined })).toThrow(/needs a database/);
  });
});
