import { GatewayTimeoutError, ServiceUnavailableError } from '@canaduck/errors';
import { ServiceClient } from '@canaduck/http-client';
import { freePort, waitUntil } from '@canaduck/testing';
import { z } from 'zod';
import { json, startServer } from './live-server';

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

const clients: ServiceClient[] = [];
const servers: Array<{ close(): Promise<void> }> = [];
function client(opts: ConstructorParameters<typeof ServiceClient>[0]): ServiceClient {
  const c = new ServiceClient(opts);
  clients.push(c);
  return c;
}
afterEach(async () => {
  clients.splice(0).forEach((c) => c.close());
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('ServiceClient against a live server', () => {
  it('when the other side answers 2xx, then status and JSON data are returned', async () => {
    const srv = await startServer((_req, res) => json(res, 201, { name: 'tech' }));
    servers.push(srv);
    const c = client({ name: 'channel-service', baseUrl: srv.url });
    await expect(c.post('/internal/channels', { body: { name: 'tech' } })).resolves.toEqual({ status: 201, data: { name: 'tech' } });
    expect(srv.seen[0]).toMatchObject({ method: 'POST', url: '/internal/channels', body: '{"name":"tech"}' });
  });

  it('when a request id is given, then it is forwarded as X-Request-Id', async () => {
    const srv = await startServer((_req, res) => json(res, 200, {}));
    servers.push(srv);
    await client({ name: 'x', baseUrl: srv.url }).get('/a', { requestId: 'req-abc-1' });
    expect(srv.seen[0].headers['x-request-id']).toBe('req-abc-1');
  });

  it('when no request id is given, then no X-Request-Id is invented', async () => {
    const srv = await startServer((_req, res) => json(res, 200, {}));
    servers.push(srv);
    await client({ name: 'x', baseUrl: srv.url }).get('/a');
    expect(srv.seen[0].headers['x-request-id']).toBeUndefined();
  });

  it('when the call carries no user authorization, then the service token is sent', async () => {
    const srv = await startServer((_req, res) => json(res, 200, {}));
    servers.push(srv);
    const c = client({ name: 'x', baseUrl: srv.url, serviceTokens: { get: () => 'service.token.here' } });
    await c.get('/internal/x');
    await c.get('/public', { authorization: 'Bearer user.token.here' });
    expect(srv.seen.map((s) => s.headers.authorization)).toEqual(['Bearer service.token.here', 'Bearer user.token.here']);
  });

  it('when query parameters are given, then they are encoded, skipping undefined ones', async () => {
    const srv = await startServer((_req, res) => json(res, 200, {}));
    servers.push(srv);
    await client({ name: 'x', baseUrl: srv.url }).get('/m', { query: { offset: 50, q: 'a b&c', none: undefined, flag: true } });
    const url = new URL(srv.seen[0].url, 'http://x');
    expect(Object.fromEntries(url.searchParams)).toEqual({ offset: '50', q: 'a b&c', flag: 'true' });
  });

  it.each([400, 401, 403, 404, 409, 422])('when the other side answers %i, then it is returned, not thrown', async (status) => {
    const srv = await startServer((_req, res) => json(res, status, { error: 'nope', code: 'x' }));
    servers.push(srv);
    const c = client({ name: 'x', baseUrl: srv.url });
    await expect(c.put('/r')).resolves.toEqual({ status, data: { error: 'nope', code: 'x' } });
    await expect(c.patch('/r')).resolves.toMatchObject({ status });
    await expect(c.delete('/r')).resolves.toMatchObject({ status });
  });

  it('when the other side answers 500, then a 503 dependency_failed is thrown', async () => {
    const srv = await startServer((_req, res) => json(res, 500, { error: 'internal server error' }));
    servers.push(srv);
    const err = await rejection(client({ name: 'stats-service', baseUrl: srv.url }).get('/x'));
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    expect(err).toMatchObject({ status: 503, code: 'dependency_failed', message: 'stats-service failed (status 500)' });
  });

  it('when nothing listens on the port (connection refused), then a 503 naming the service is thrown', async () => {
    const port = await freePort();
    const err = await rejection(client({ name: 'channel-service', baseUrl: `http://127.0.0.1:${port}` }).get('/x'));
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    expect(err).toMatchObject({ status: 503, code: 'dependency_unavailable', message: 'channel-service unavailable' });
  });

  it('when the host does not resolve, then a 503 is thrown', async () => {
    const err = await rejection(client({ name: 'user-service', baseUrl: 'http://no-such-host.invalid', timeoutMs: 15000 }).get('/x'));
    expect(err).toMatchObject({ status: 503, code: 'dependency_unavailable' });
  });

  it('when the other side is slower than the timeout, then a 504 is thrown in about the timeout', async () => {
    // The other side hangs for 20 s: an answer well before that is the 150 ms timeout, even on a loaded machine.
    const srv = await startServer((_req, res) => setTimeout(() => json(res, 200, {}), 20_000).unref());
    servers.push(srv);
    const started = Date.now();
    const err = await rejection(client({ name: 'message-service', baseUrl: srv.url, timeoutMs: 150 }).get('/slow'));
    expect(err).toBeInstanceOf(GatewayTimeoutError);
    expect(err).toMatchObject({ status: 504, code: 'dependency_timeout', message: 'message-service did not answer in time' });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('when one call overrides the timeout, then that call waits longer', async () => {
    const srv = await startServer((_req, res) => setTimeout(() => json(res, 200, { late: true }), 200).unref());
    servers.push(srv);
    const c = client({ name: 'x', baseUrl: srv.url, timeoutMs: 50 });
    await expect(c.get('/slow')).rejects.toBeInstanceOf(GatewayTimeoutError);
    await expect(c.get('/slow', { timeoutMs: 10_000 })).resolves.toEqual({ status: 200, data: { late: true } });
  });

  it('when the other side answers many requests, then keep-alive reuses connections', async () => {
    const sockets = new Set<unknown>();
    const srv = await startServer((req, res) => {
      sockets.add(req.socket);
      json(res, 200, {});
    });
    servers.push(srv);
    const c = client({ name: 'x', baseUrl: srv.url });
    for (let i = 0; i < 5; i++) await c.get('/k');
    expect(sockets.size).toBe(1);
  });
});

describe('circuit breaker', () => {
  it('when most calls fail, then the circuit opens and calls fail fast without reaching the server; after the reset delay a good answer closes it', async () => {
    let healthy = false;
    const srv = await startServer((_req, res) => (healthy ? json(res, 200, { ok: true }) : json(res, 503, { error: 'down' })));
    servers.push(srv);
    // A reset delay long enough that the open circuit is still open when probed on a loaded machine.
    const c = client({ name: 'stats-service', baseUrl: srv.url, breakerResetMs: 1500 });
    expect(c.circuitState).toBe('closed');
    for (let i = 0; i < 5; i++) await expect(c.get('/x')).rejects.toMatchObject({ code: 'dependency_failed' });
    expect(c.circuitState).toBe('open');

    const hits = srv.seen.length;
    const err = await rejection(c.get('/x'));
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    expect(err).toMatchObject({ status: 503, code: 'dependency_unavailable', message: 'stats-service unavailable (circuit open)' });
    expect(srv.seen.length).toBe(hits);

    healthy = true;
    await waitUntil(() => c.circuitState !== 'open', 'the reset delay has passed');
    expect(c.circuitState).toBe('halfOpen');
    await expect(c.get('/x')).resolves.toEqual({ status: 200, data: { ok: true } });
    expect(c.circuitState).toBe('closed');
    await expect(c.get('/x')).resolves.toMatchObject({ status: 200 });
  });

  it('when the trial call after the reset delay fails, then the circuit opens again', async () => {
    const srv = await startServer((_req, res) => json(res, 500, {}));
    servers.push(srv);
    const c = client({ name: 'x', baseUrl: srv.url, breakerResetMs: 200 });
    for (let i = 0; i < 5; i++) await c.get('/x').catch(() => undefined);
    expect(c.circuitState).toBe('open');
    await waitUntil(() => c.circuitState !== 'open', 'the reset delay has passed');
    expect(c.circuitState).toBe('halfOpen');
    await expect(c.get('/x')).rejects.toMatchObject({ code: 'dependency_failed' });
    expect(c.circuitState).toBe('open');
  });

  it('when the answers are 4xx, then the circuit stays closed (a client error is a normal answer)', async () => {
    const srv = await startServer((_req, res) => json(res, 404, { error: 'not found' }));
    servers.push(srv);
    const c = client({ name: 'x', baseUrl: srv.url });
    for (let i = 0; i < 10; i++) await c.get('/x');
    expect(c.circuitState).toBe('closed');
  });

  it('when connections are refused repeatedly, then the circuit opens', async () => {
    const port = await freePort();
    const c = client({ name: 'x', baseUrl: `http://127.0.0.1:${port}` });
    for (let i = 0; i < 5; i++) await c.get('/x').catch(() => undefined);
    expect(c.circuitState).toBe('open');
    await expect(c.get('/x')).rejects.toMatchObject({ message: 'x unavailable (circuit open)' });
  });
});

describe('getOptional', () => {
  const shape = z.object({ channels: z.array(z.string()) });
  const warnings = () => {
    const seen: string[] = [];
    return { seen, logger: { warn: (_fields: object, message: string) => seen.push(message) } };
  };

  it('when the answer is a 200 of the shape, then it is returned parsed and the minted service token was sent', async () => {
    const srv = await startServer((_req, res) => json(res, 200, { channels: ['tech'], extra: 1 }));
    servers.push(srv);
    const c = client({ name: 'channel-service', baseUrl: srv.url, serviceTokens: { get: () => 'minted.token' } });
    await expect(c.getOptional('/internal/users/roger/channels', shape)).resolves.toEqual({ channels: ['tech'] });
    expect(srv.seen[0].headers.authorization).toBe('Bearer minted.token');
  });

  it('when the answer is another status or another shape, then undefined with a warning', async () => {
    const srv = await startServer((req, res) =>
      req.url === '/gone' ? json(res, 404, { error: 'x' }) : json(res, 200, { channels: 'tech' }),
    );
    servers.push(srv);
    const log = warnings();
    const c = client({ name: 'channel-service', baseUrl: srv.url, logger: log.logger });
    await expect(c.getOptional('/gone', shape)).resolves.toBeUndefined();
    await expect(c.getOptional('/odd', shape)).resolves.toBeUndefined();
    expect(log.seen).toEqual(['channel-service gave an unexpected answer', 'channel-service gave an unexpected answer']);
  });

  it('when the service cannot be reached, then undefined with a warning, never a throw', async () => {
    const log = warnings();
    const c = client({ name: 'channel-service', baseUrl: `http://127.0.0.1:${await freePort()}`, logger: log.logger });
    await expect(c.getOptional('/x', shape)).resolves.toBeUndefined();
    expect(log.seen).toEqual(['channel-service unavailable']);
  });
});
