import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local port the OS just gave and that nothing listens on any more (bound, then released): for a
 * server the test starts later, or for a service that is down.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
