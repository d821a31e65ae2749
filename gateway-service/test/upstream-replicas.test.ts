import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { createLogger } from '@canaduck/logging';
import { createUpstreamProxy } from '../src/proxy/upstream-proxy';

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

/** A replica that answers its own name. */
async function replica(name: string): Promise<string> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end(JSON.stringify({ replica: name })));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  closers.push(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** An address nothing listens on (a killed replica): a port taken, then released. */
async function refusedAddress(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

async function front(targets: string[]): Promise<string> {
  const proxy = createUpstreamProxy({
    name: 'message-service',
    target: targets,
    timeoutMs: 2000,
    maxSockets: 4,
    logger: createLogger('gateway-service', 'silent'),
  });
  const server = http.createServer((req, res) => proxy.web(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  closers.push(
    () => proxy.close(),
    () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('upstream replicas', () => {
  it('when a service has two addresses, then requests alternate between them', async () => {
    const url = await front([await replica('a'), await replica('b')]);
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${url}/msg`);
      expect(res.status).toBe(200);
      seen.push(((await res.json()) as { replica: string }).replica);
    }
    expect(seen).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
  });

  it('when one replica refuses connections, then reads go to the other one and every read succeeds', async () => {
    const url = await front([await refusedAddress(), await replica('b')]);
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${url}/msg`);
      expect({ status: res.status, body: await res.json() }).toEqual({ status: 200, body: { replica: 'b' } });
    }
  });

  it('when one replica refuses a write, then that write gets 503 JSON (never sent) and the next ones go to the live replica', async () => {
    const url = await front([await refusedAddress(), await replica('b')]);
    const first = await fetch(`${url}/msg`, { method: 'POST', body: '{"text":"x"}', headers: { 'content-type': 'application/json' } });
    expect({ status: first.status, code: ((await first.json()) as { code: string }).code }).toEqual({
      status: 503,
      code: 'service_unavailable',
    });
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${url}/msg`, { method: 'POST', body: '{"text":"y"}', headers: { 'content-type': 'application/json' } });
      expect({ status: res.status, body: await res.json() }).toEqual({ status: 200, body: { replica: 'b' } });
    }
  });

  it('when every replica refuses, then the answer is 503 JSON', async () => {
    const url = await front([await refusedAddress(), await refusedAddress()]);
    const res = await fetch(`${url}/msg`);
    expect({ status: res.status, code: ((await res.json()) as { code: string }).code }).toEqual({
      status: 503,
      code: 'service_unavailable',
    });
  });
});
