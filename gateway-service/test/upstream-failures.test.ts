import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { bearer, uniqueName } from '@canaduck/testing';
import type { Gateway } from '../src/app';
import {
  buildGateway,
  closeAll,
  gatewayOverRaw,
  startUpstreams,
  urlsOf,
  type RawUpstreamGateway,
  type UpstreamSet,
  refusedUrl,
  startRawServer,
} from './support';

let up: UpstreamSet;
beforeAll(async () => {
  up = await startUpstreams();
});
afterAll(async () => {
  await closeAll(up);
});

describe('an upstream that refuses connections', () => {
  let gw: Gateway;
  beforeAll(async () => {
    // A long upstream timeout: a refusal must be answered at once, not when a timeout fires.
    gw = buildGateway({ ...urlsOf(up), channel: await refusedUrl() }, { UPSTREAM_TIMEOUT_MS: '20000' });
  });
  afterAll(() => gw.shutdown());

  test('when its route is called, then 503 JSON naming the service comes back within a second', async () => {
    const started = Date.now();
    const res = await request(gw.handler).get('/channel/tech/config');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: 'channel-service unavailable', code: 'service_unavailable' });
    // Far below the 20 s timeout, with room for a loaded machine.
    expect(Date.now() - started).toBeLessThan(4000);
  });

  test('when a write with a body is refused, then 503 too and the gateway keeps serving others', async () => {
    const res = await request(gw.handler).post('/channel').set('Authorization', bearer(uniqueName())).send({ name: 'tech' });
    expect(res.status).toBe(503);
    expect((await request(gw.handler).get('/whois/roger')).status).toBe(200);
  });
});

describe('an upstream that does not answer in time', () => {
  let t: RawUpstreamGateway;
  beforeAll(async () => {
    const silent = (req: http.IncomingMessage, res: http.ServerResponse) => {
      // Answers only /stats/slow-body's headers, then goes quiet; everything else never answers.
      if (req.url === '/stats/slow-body') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('{"partial":');
      }
    };
    t = await gatewayOverRaw(up, ['stats'], silent, { UPSTREAM_TIMEOUT_MS: '300' });
  });
  afterAll(() => t.close());

  test('when it stays silent, then 504 JSON after the timeout, never a hang', async () => {
    const started = Date.now();
    const res = await request(t.gw.handler).get('/stats/active-channels');
    const elapsed = Date.now() - started;
    expect(res.status).toBe(504);
    expect(res.body).toEqual({ error: 'stats-service did not answer within 300 ms', code: 'upstream_timeout' });
    expect(elapsed).toBeGreaterThanOrEqual(250);
    // The upstream never answers: anything well short of jest's 30 s is the 300 ms timeout firing.
    expect(elapsed).toBeLessThan(10_000);
  });

  test('when it goes quiet in the middle of an answer, then the client connection is cut instead of hanging', async () => {
    const err = await request(t.gw.handler)
      .get('/stats/slow-body')
      .timeout(5000)
      .then(() => null)
      .catch((e: Error & { code?: string; timeout?: number }) => e);
    expect(err).not.toBeNull();
    // Cut by the gateway (socket hang up / aborted), not by our own 5 s client timeout.
    expect(err!.timeout).toBeUndefined();
  });
});

describe('an upstream that dies in the middle of its answer', () => {
  let t: RawUpstreamGateway;
  beforeAll(async () => {
    const dying = (_req: http.IncomingMessage, res: http.ServerResponse) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '1000' });
      res.write('{"messages":[');
      setTimeout(() => res.socket?.destroy(), 50);
    };
    t = await gatewayOverRaw(up, ['message'], dying, { UPSTREAM_TIMEOUT_MS: '20000' });
  });
  afterAll(() => t.close());

  test('when the socket closes mid-response, then the client sees an error at once and the gateway keeps running', async () => {
    const started = Date.now();
    const err = await request(t.gw.handler)
      .get('/msg?channel=tech')
      .set('Authorization', bearer(uniqueName()))
      .timeout(10_000)
      .then(() => null)
      .catch((e: Error & { timeout?: number }) => e);
    expect(err).not.toBeNull();
    expect(err!.timeout).toBeUndefined();
    // At once: far below the 20 s upstream timeout and our own 10 s client timeout.
    expect(Date.now() - started).toBeLessThan(4000);
    expect((await request(t.gw.handler).get('/health')).status).toBe(200);
  });
});

describe('a client that goes away', () => {
  test('when the client aborts while the upstream is still working, then the upstream request is cancelled and nothing crashes', async () => {
    let upstreamClosed!: () => void;
    const closed = new Promise<void>((r) => (upstreamClosed = r));
    const slow = await startRawServer((req) => {
      req.socket.once('close', () => upstreamClosed());
    });
    const gw = buildGateway({ ...urlsOf(up), stats: slow.url }, { UPSTREAM_TIMEOUT_MS: '20000' });
    const server = http.createServer(gw.handler).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as AddressInfo).port;
    const req = http.get({ host: '127.0.0.1', port, path: '/stats/active-channels' });
    req.on('error', () => undefined);
    const abortedAt = Date.now() + 100;
    setTimeout(() => req.destroy(), 100);
    await closed;
    // Cancelled right away, not when the 20 s upstream timeout would have fired anyway.
    expect(Date.now() - abortedAt).toBeLessThan(4000);
    const res = await request(gw.handler).get('/health');
    expect(res.status).toBe(200);
    await new Promise((r) => server.close(r));
    await gw.shutdown();
    await slow.close();
  });
});

describe('an upstream that closes a kept-alive socket as it is reused', () => {
  let t: RawUpstreamGateway;
  beforeAll(async () => {
    // Answers the first request of each connection; a second request on the same socket
    // finds it closed without an answer, as when the upstream's keep-alive timeout fires.
    const racy = (req: http.IncomingMessage, res: http.ServerResponse) => {
      const socket = req.socket as typeof req.socket & { served?: boolean };
      if (socket.served) {
        socket.destroy();
        return;
      }
      socket.served = true;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"ok":true}');
    };
    t = await gatewayOverRaw(up, ['stats', 'channel'], racy);
  });
  afterAll(() => t.close());

  test('when a GET hits such a socket, then it is sent again once on a fresh socket and succeeds', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await request(t.gw.handler).get('/stats/active-channels');
      expect(res.status).toBe(200);
    }
  });

  test('when a POST hits such a socket, then it is not repeated: 503', async () => {
    const header = bearer(uniqueName());
    const first = await request(t.gw.handler).post('/channel').set('Authorization', header).send({ name: 'a' });
    expect(first.status).toBe(200);
    const second = await request(t.gw.handler).post('/channel').set('Authorization', header).send({ name: 'b' });
    expect(second.status).toBe(503);
  });
});
