import { spawnSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import express from 'express';
import pino from 'pino';
import request from 'supertest';
import { REQUEST_ID_HEADER, audit, httpLogger, requestIdMiddleware } from '@canaduck/logging';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A real pino logger writing into an array, so tests read exactly what would be logged. */
function capturedLogger(level = 'info') {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  return { logger: pino({ level, base: { service: 'test-service' } }, stream), lines };
}

function appWithRequestIds() {
  const app = express();
  app.use(requestIdMiddleware());
  app.get('/id', (req, res) => {
    res.json({ seen: req.headers[REQUEST_ID_HEADER] });
  });
  return app;
}

describe('requestIdMiddleware', () => {
  const app = appWithRequestIds();

  it('when the caller sends no X-Request-Id, then one is generated, used and echoed', async () => {
    const res = await request(app).get('/id');
    expect(res.headers['x-request-id']).toMatch(UUID);
    expect(res.body.seen).toBe(res.headers['x-request-id']);
  });

  it('when two requests come without an id, then they get different ids', async () => {
    const a = await request(app).get('/id');
    const b = await request(app).get('/id');
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
  });

  it.each(['abc-123', 'trace.id:42_A', 'x'.repeat(128), '0'])(
    'when the caller sends the safe id %p, then it is kept and echoed',
    async (id) => {
      const res = await request(app).get('/id').set('X-Request-Id', id);
      expect(res.headers['x-request-id']).toBe(id);
      expect(res.body.seen).toBe(id);
    },
  );

  it.each([
    ['too long', 'x'.repeat(129)],
    ['with a space', 'abc def'],
    ['with markup', '<script>alert(1)</script>'],
    ['with a slash', 'a/b'],
    ['with non-ASCII letters', 'requête'],
    ['with JSON', '{"a":1}'],
  ])('when the caller sends an unsafe id (%s), then it is replaced by a new UUID', async (_what, id) => {
    const res = await request(app).get('/id').set('X-Request-Id', id);
    expect(res.headers['x-request-id']).toMatch(UUID);
    expect(res.body.seen).toBe(res.headers['x-request-id']);
  });

  it('when the caller sends the header twice, then the joined value is refused and replaced', async () => {
    // supertest cannot send a header twice; node's http client sends an array as two header lines.
    const server = app.listen(0);
    try {
      const { port } = server.address() as AddressInfo;
      const echoed = await new Promise<string | undefined>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path: '/id', headers: { 'x-request-id': ['one', 'two'] } }, (res) => {
            res.resume();
            resolve(res.headers['x-request-id'] as string | undefined);
          })
          .on('error', reject);
      });
      expect(echoed).toMatch(UUID);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('httpLogger', () => {
  function buildApp(logger: pino.Logger) {
    const app = express();
    app.use(requestIdMiddleware());
    app.use(httpLogger(logger));
    app.get('/ok', (_req, res) => void res.json({ ok: true }));
    app.get('/missing', (_req, res) => void res.status(404).json({ error: 'nope' }));
    app.get('/broken', (_req, res) => void res.status(500).json({ error: 'internal server error' }));
    app.get('/health', (_req, res) => void res.json({ status: 'ok' }));
    app.get('/ready', (_req, res) => void res.json({ status: 'ready' }));
    return app;
  }

  it('when a request completes, then one access line carries its request id, method, url and status', async () => {
    const { logger, lines } = capturedLogger();
    await request(buildApp(logger)).get('/ok?x=1').set('X-Request-Id', 'req-42').set('Authorization', 'Bearer secret.token.value');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      service: 'test-service',
      req: { id: 'req-42', method: 'GET', url: '/ok?x=1' },
      res: { statusCode: 200 },
    });
    expect(JSON.stringify(lines)).not.toContain('secret.token.value');
  });

  it('when the answer is 4xx or 5xx, then the line is a warning or an error', async () => {
    const { logger, lines } = capturedLogger();
    const app = buildApp(logger);
    await request(app).get('/missing');
    await request(app).get('/broken');
    expect(lines.map((l) => l.level)).toEqual([40, 50]);
  });

  it('when /health and /ready are probed, then nothing is logged', async () => {
    const { logger, lines } = capturedLogger();
    const app = buildApp(logger);
    await request(app).get('/health');
    await request(app).get('/ready');
    expect(lines).toHaveLength(0);
  });

  it('when no id came in, then the logged id is the generated one echoed to the caller', async () => {
    const { logger, lines } = capturedLogger();
    const res = await request(buildApp(logger)).get('/ok');
    expect((lines[0].req as { id: string }).id).toBe(res.headers['x-request-id']);
  });
});

describe('audit', () => {
  it('when a security event is audited, then one info line says audit with the event and its fields', () => {
    const { logger, lines } = capturedLogger();
    audit(logger, 'login_failed', { pseudo: 'roger', ip: '10.0.0.1' });
    expect(lines).toEqual([
      expect.objectContaining({
        level: 30,
        audit: true,
        event: 'login_failed',
        pseudo: 'roger',
        ip: '10.0.0.1',
        msg: 'audit: login_failed',
      }),
    ]);
  });
});

/**
 * createLogger writes straight to file descriptor 1, which jest cannot capture:
 * run it in a child process that loads the library's TypeScript source.
 */
function runWithLogger(snippet: string, env: Record<string, string> = {}) {
  const src = path.join(__dirname, '..', 'src', 'index.ts');
  const runner = `
    const fs = require('fs');
    const ts = require('typescript');
    require.extensions['.ts'] = (m, file) => m._compile(ts.transpileModule(fs.readFileSync(file, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText, file);
    const lib = require(${JSON.stringify(src)});
    ${snippet}
  `;
  const { LOG_LEVEL: _drop, ...baseEnv } = process.env;
  const out = spawnSync(process.execPath, ['-e', runner], {
    encoding: 'utf8',
    timeout: 20000,
    env: { ...baseEnv, ...env },
    cwd: path.join(__dirname, '..'),
  });
  expect(out.stderr).toBe('');
  return out.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('createLogger', () => {
  it('when a line is logged, then it is JSON with the service name, an ISO time and the message', () => {
    const [line] = runWithLogger(`lib.createLogger('channel-service').info({ channel: 'tech' }, 'created');`);
    expect(line).toMatchObject({ level: 30, service: 'channel-service', name: 'channel-service', channel: 'tech', msg: 'created' });
    expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('when secrets are logged by mistake, then passwords, tokens and the Authorization header are redacted', () => {
    const [line] = runWithLogger(`lib.createLogger('user-service').info({
      body: { pseudo: 'roger', password: 'hunter2' }, session: { token: 'eyJ.secret.x' },
      req: { headers: { authorization: 'Bearer eyJ.secret.y', cookie: 'sid=1' } } }, 'oops');`);
    const text = JSON.stringify(line);
    expect(text).not.toMatch(/hunter2|eyJ\.secret|sid=1/);
    expect(line).toMatchObject({ body: { pseudo: 'roger', password: '[redacted]' }, session: { token: '[redacted]' } });
  });

  it('when a level is given, then lower levels are dropped', () => {
    const lines = runWithLogger(`const l = lib.createLogger('s', 'warn'); l.info('no'); l.warn('yes'); l.error('yes too');`);
    expect(lines.map((l) => l.msg)).toEqual(['yes', 'yes too']);
  });

  it('when no level is given, then LOG_LEVEL from the environment applies', () => {
    const lines = runWithLogger(`const l = lib.createLogger('s'); l.debug('shown'); l.trace('hidden');`, { LOG_LEVEL: 'debug' });
    expect(lines.map((l) => l.msg)).toEqual(['shown']);
  });
});
