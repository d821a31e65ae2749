import http, { type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import WebSocket, { WebSocketServer } from 'ws';
import { bearer, expiredToken, uniqueName } from '@canaduck/testing';
import type { Gateway } from '../src/app';
import { buildGateway, closeAll, closeServer, refusedUrl, startUpstreams, urlsOf, type UpstreamSet } from './support';

// /events, /events/* and /ws through the gateway, against a real HTTP + `ws` server standing in
// for realtime-service on port 0 (the routing, not realtime's own behaviour, is under test).

interface Realtime {
  url: string;
  /** Requests and upgrade requests as they arrived. */
  seen: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders }>;
  /** Sends the second event of the open SSE stream and ends it. */
  finishStream(): void;
  close(): Promise<void>;
}

const FIRST = 'id: c1\nevent: message.created\ndata: {"type":"message.created","cursor":"c1"}\n\n';
const SECOND = 'id: c2\nevent: heartbeat\ndata: {"type":"heartbeat","cursor":"c2"}\n\n';

async function startRealtime(): Promise<Realtime> {
  const seen: Realtime['seen'] = [];
  let finish: (() => void) | undefined;
  const server: Server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      res.write(FIRST);
      finish = () => res.end(SECOND);
      return;
    }
    if (req.method === 'POST' && path === '/events/ticket') {
      res.writeHead(201, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ ticket: 't-123', expires_at: new Date().toISOString() }));
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ events: [], cursor: 'c0', url: req.url }));
  });
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  server.on('upgrade', (req: IncomingMessage, socket, head) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    if ((req.url ?? '').includes('ticket=used')) {
      const body = JSON.stringify({ error: 'ticket already used', code: 'ticket_used' });
      return void socket.end(
        `HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
      );
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.send(JSON.stringify({ type: 'hello', url: req.url }));
      ws.on('message', (raw: Buffer) => ws.send(`echo:${raw.toString('utf8')}`));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    finishStream: () => finish?.(),
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      await closeServer(server);
    },
  };
}

/** The gateway on a real server (port 0) with its upgrade handler, as main.ts runs it. */
async function serve(gw: Gateway): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(gw.handler);
  server.on('upgrade', gw.upgrade);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: async () => {
      await gw.shutdown();
      await closeServer(server);
    },
  };
}

interface Opened {
  ws?: WebSocket;
  /** The next text frame (frames are queued from the start: the first may come with the 101). */
  next(): Promise<string>;
  status?: number;
  body?: string;
}

/** Opens a WebSocket through the gateway; resolves when open, or with the refusal's status and body. */
function openWs(url: string, headers: Record<string, string> = {}): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    const frames: string[] = [];
    const waiting: Array<(frame: string) => void> = [];
    ws.on('message', (raw: Buffer) => {
      const frame = raw.toString('utf8');
      const w = waiting.shift();
      if (w) w(frame);
      else frames.push(frame);
    });
    const next = () => (frames.length > 0 ? Promise.resolve(frames.shift()!) : new Promise<string>((r) => waiting.push(r)));
    ws.once('open', () => resolve({ ws, next }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode, body, next }));
    });
    ws.once('error', reject);
  });
}

let up: UpstreamSet;
let rt: Realtime;
let gateway: { url: string; close(): Promise<void> };
beforeAll(async () => {
  up = await startUpstreams();
  rt = await startRealtime();
  // A short upstream timeout: an idle event stream must outlive it.
  gateway = await serve(buildGateway(urlsOf(up), { REALTIME_SERVICE_URL: rt.url, UPSTREAM_TIMEOUT_MS: '300' }));
});
afterAll(async () => {
  await gateway.close();
  await rt.close();
  await closeAll(up);
});

describe('GET /events (SSE) through the gateway', () => {
  test('when a user opens the stream, then the first event arrives before the upstream ends, with the query and Last-Event-ID passed on', async () => {
    // One token: a second one minted later may carry another `iat` second.
    const authorization = bearer(uniqueName());
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      http
        .get(`${gateway.url}/events?after=c0&channels=tech`, { headers: { authorization, 'last-event-id': 'c0' } }, resolve)
        .on('error', reject);
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    const first = await new Promise<string>((resolve) => res.once('data', (c: Buffer) => resolve(c.toString('utf8'))));
    expect(first).toBe(FIRST);
    const seen = rt.seen.find((s) => s.url.startsWith('/events?') && s.headers.authorization === authorization);
    expect(seen).toMatchObject({ method: 'GET', url: '/events?after=c0&channels=tech' });
    expect(seen?.headers['last-event-id']).toBe('c0');
    // Idle for longer than UPSTREAM_TIMEOUT_MS (300 ms): an event stream is never cut for silence.
    await new Promise((r) => setTimeout(r, 800));
    let rest = '';
    res.on('data', (c: Buffer) => (rest += c.toString('utf8')));
    const ended = new Promise((resolve) => res.once('end', resolve));
    rt.finishStream();
    await ended;
    expect(rest).toBe(SECOND);
  });

  test('when no token is sent, then 401 token_missing and realtime is not called', async () => {
    const before = rt.seen.length;
    const res = await request(gateway.url).get('/events');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: expect.any(String), code: 'token_missing' });
    expect(rt.seen.length).toBe(before);
  });

  test('when the token is expired, then 401 on /events/poll and /events/ticket', async () => {
    const token = `Bearer ${expiredToken(uniqueName())}`;
    expect((await request(gateway.url).get('/events/poll').set('Authorization', token)).status).toBe(401);
    expect((await request(gateway.url).post('/events/ticket').set('Authorization', token)).status).toBe(401);
  });

  test('when a request carries ?ticket= and no token, then it reaches realtime with its query, which verifies the ticket', async () => {
    const res = await request(gateway.url).get('/events/poll?ticket=abc&wait=0');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ events: [], cursor: 'c0', url: '/events/poll?ticket=abc&wait=0' });
  });

  test('when a user asks for a ticket with a token, then realtime answers 201', async () => {
    const res = await request(gateway.url).post('/events/ticket').set('Authorization', bearer(uniqueName()));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ ticket: 't-123' });
  });
});

describe('GET /ws (WebSocket upgrade) through the gateway', () => {
  const wsUrl = () => gateway.url.replace('http', 'ws');

  test('when a user upgrades with a Bearer token, then frames go both ways', async () => {
    const { ws, next } = await openWs(`${wsUrl()}/ws?after=c9`, { authorization: bearer(uniqueName()) });
    expect(ws).toBeDefined();
    expect(JSON.parse(await next())).toEqual({ type: 'hello', url: '/ws?after=c9' });
    ws!.send('{"type":"subscribe","channel":"tech"}');
    expect(await next()).toBe('echo:{"type":"subscribe","channel":"tech"}');
    const closed = new Promise((resolve) => ws!.once('close', resolve));
    ws!.close();
    await closed;
  });

  test('when the token is bad, then 401 JSON on the socket and realtime is not called', async () => {
    const before = rt.seen.length;
    const r = await openWs(`${wsUrl()}/ws`, { authorization: 'Bearer not.a.token' });
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body!)).toEqual({ error: expect.any(String), code: 'invalid_token' });
    expect(rt.seen.length).toBe(before);
  });

  test('when no token is sent, then 401 token_missing', async () => {
    const r = await openWs(`${wsUrl()}/ws`);
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body!).code).toBe('token_missing');
  });

  test('when a ticket is sent instead, then realtime decides: its refusal comes back as it answered', async () => {
    const r = await openWs(`${wsUrl()}/ws?ticket=used`);
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body!)).toEqual({ error: 'ticket already used', code: 'ticket_used' });
    const ok = await openWs(`${wsUrl()}/ws?ticket=fresh`);
    expect(JSON.parse(await ok.next())).toEqual({ type: 'hello', url: '/ws?ticket=fresh' });
    ok.ws!.terminate();
  });

  test('when another path asks for an upgrade, then 404 route_not_found', async () => {
    const r = await openWs(`${wsUrl()}/msg`, { authorization: bearer(uniqueName()) });
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body!).code).toBe('route_not_found');
  });
});

describe('realtime-service down', () => {
  let down: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    down = await serve(buildGateway(urlsOf(up), { REALTIME_SERVICE_URL: await refusedUrl() }));
  });
  afterAll(() => down.close());

  test('when a stream is opened, then 503 service_unavailable on /events and on the /ws upgrade', async () => {
    const res = await request(down.url).get('/events').set('Authorization', bearer(uniqueName()));
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: 'realtime-service unavailable', code: 'service_unavailable' });
    const r = await openWs(`${down.url.replace('http', 'ws')}/ws`, { authorization: bearer(uniqueName()) });
    expect(r.status).toBe(503);
    expect(JSON.parse(r.body!)).toEqual({ error: 'realtime-service unavailable', code: 'service_unavailable' });
  });
});
