import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@canaduck/logging';
import { createUpstreamProxy, type UpstreamProxy } from '../src/proxy/upstream-proxy';

export type Closer = () => Promise<void> | void;

/** What each test opens, closed in order after it. */
export function useClosers(): Closer[] {
  const closers: Closer[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });
  return closers;
}

/** Closes a Node server now, keep-alive sockets included. */
export function closeNow(server: http.Server): Promise<void> {
  return new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r())));
}

/** The proxy (message-service's pool) to `target`, behind a Node server on an ephemeral port; both closed after the test. */
export async function proxyFront(
  closers: Closer[],
  target: string | string[],
  o: { timeoutMs?: number; maxSockets?: number } = {},
): Promise<{ port: number; url: string; proxy: UpstreamProxy }> {
  const proxy = createUpstreamProxy({
    name: 'message-service',
    target,
    timeoutMs: o.timeoutMs ?? 2000,
    maxSockets: o.maxSockets ?? 4,
    logger: createLogger('gateway-service', 'silent'),
  });
  const server = http.createServer((req, res) => proxy.web(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  closers.push(
    () => proxy.close(),
    () => closeNow(server),
  );
  const { port } = server.address() as AddressInfo;
  return { port, url: `http://127.0.0.1:${port}`, proxy };
}
