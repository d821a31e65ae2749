import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import pino from 'pino';
import request from 'supertest';
import {
  answerClientError,
  createServiceApp,
  extendDeadline,
  startDatabaseWatchdog,
  trackAnswers,
  type ServiceGuards,
} from '@canaduck/service-kit';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function app(guards: ServiceGuards) {
  return createServiceApp({
    name: 'guarded-service',
    logger: pino({ level: 'silent' }),
    openapi: { title: 'Guarded' },
    guards,
    routes: (a) => {
      a.get('/fast', (_req, res) => void res.json({ ok: true }));
      a.get('/hang', async (_req, res) => {
        await sleep(300);
        // Answers after the deadline: must not reach the client nor throw.
        res.status(201).json({ late: true });
      });
      a.get('/long-poll', async (_req, res) => {
        // A long poll of 300 ms on purpose: its deadline starts after the wait.
        extendDeadline(res, 300);
        await sleep(300);
        res.json({ waited: true });
      });
    },
  });
}

describe('database watchdog', () => {
  it('when the check fails, then it reports down; when the check answers again, then up', async () => {
    let healthy = true;
    const dog = startDatabaseWatchdog(
      async () => {
        if (!healthy) throw new Error('connection refused');
      },
      { intervalMs: 20, timeoutMs: 50 },
    );
    try {
      await sleep(60);
      expect(dog.up).toBe(true);
      healthy = false;
      await sleep(80);
      expect(dog.up).toBe(false);
      healthy = true;
      await sleep(80);
      expect(dog.up).toBe(true);
    } finally {
      dog.stop();
    }
  });

  it('when a check does not answer, then it is down within the timeout, without piling up checks, and up once it answers', async () => {
    let calls = 0;
    let release: () => void = () => undefined;
    const dog = startDatabaseWatchdog(
      () => {
        calls += 1;
        return new Promise<void>((r) => (release = r));
      },
      { intervalMs: 10, timeoutMs: 40 },
    );
    try {
      expect(dog.up).toBe(true);
      await sleep(80);
      expect(dog.up).toBe(false);
      expect(calls).toBe(1);
      release();
      await sleep(5);
      expect(dog.up).toBe(true);
    } finally {
      dog.stop();
    }
  });
});

describe('database gate and request deadline', () => {
  it('when the database is down, then routes answer 503 database_unavailable at once, probes and docs still answer', async () => {
    let up = false;
    const a = app({ databaseUp: () => up });
    const res = await request(a).get('/fast');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: 'database unavailable', code: 'database_unavailable' });
    await request(a).get('/health').expect(200);
    await request(a).get('/openapi.json').expect(200);
    up = true;
    await request(a).get('/fast').expect(200, { ok: true });
  });

  it('when a handler does not answer within the deadline, then 503 request_timeout JSON, and its late answer is dropped', async () => {
    const a = app({ requestTimeoutMs: 100 });
    const server = a.listen(0);
    try {
      const started = Date.now();
      const res = await request(server).get('/hang');
      expect(Date.now() - started).toBeLessThan(280);
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ error: 'no answer within 100 ms', code: 'request_timeout' });
      await sleep(300);
      await request(server).get('/fast').expect(200, { ok: true });
    } finally {
      server.close();
    }
  });

  it('when a long poll extends its deadline by its wait, then it answers after the wait instead of 503', async () => {
    const server = app({ requestTimeoutMs: 100 }).listen(0);
    try {
      await request(server).get('/long-poll').expect(200, { waited: true });
    } finally {
      server.close();
    }
  });
});

describe('client errors', () => {
  async function rawExchange(payload: string): Promise<string> {
    const server = http.createServer((_req, res) => res.end('{}'));
    server.on('clientError', answerClientError);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      return await new Promise<string>((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1', () => socket.write(payload));
        let data = '';
        socket.on('data', (d) => (data += d));
        socket.on('end', () => resolve(data));
        socket.on('error', reject);
      });
    } finally {
      server.close();
    }
  }

  it('when the URL is over 16 kB, then 431 with a JSON body', async () => {
    const answer = await rawExchange(`GET /x?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer).toMatch(/content-type: application\/json/i);
    expect(JSON.parse(answer.split('\r\n\r\n')[1])).toEqual({ error: 'request header fields too large', code: 'headers_too_large' });
  });

  it('when the request cannot be parsed, then 400 with a JSON body', async () => {
    const answer = await rawExchange('NOT HTTP AT ALL\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(answer.split('\r\n\r\n')[1])).toEqual({ error: 'malformed HTTP request', code: 'bad_request' });
  });

  it('when garbage follows a request whose answer is still being written, then the socket is closed without a 400 inside that answer', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('partial');
    });
    const track = trackAnswers(server);
    server.prependListener('request', track);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
        let data = '';
        socket.on('data', (d) => {
          data += d;
          if (data.includes('partial')) socket.write('NOT HTTP AT ALL\r\n\r\n');
        });
        socket.on('close', () => resolve(data));
        socket.on('error', reject);
      });
      expect(answer).toMatch(/^HTTP\/1\.1 200 /);
      expect(answer).not.toMatch(/HTTP\/1\.1 400/);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
