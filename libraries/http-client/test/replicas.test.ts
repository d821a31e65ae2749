import { freePort } from '@canaduck/testing';
import { ServiceUnavailableError } from '@canaduck/errors';
import { ReplicaRing, SKIP_REFUSED_MS, ServiceClient } from '@canaduck/http-client';
import { json, startServer } from './live-server';

const clients: ServiceClient[] = [];
const servers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  clients.splice(0).forEach((c) => c.close());
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A replica that answers with its own name. */
async function replica(name: string) {
  const srv = await startServer((_req, res) => json(res, 200, { replica: name }));
  servers.push(srv);
  return srv;
}

function client(baseUrl: string | string[]): ServiceClient {
  const c = new ServiceClient({ name: 'message-service', baseUrl, timeoutMs: 2000 });
  clients.push(c);
  return c;
}

const replicaOf = async (c: ServiceClient, method: 'GET' | 'POST' = 'GET') =>
  ((await c.request<{ replica: string }>(method, '/who')).data as { replica: string }).replica;

describe('ServiceClient over several replicas', () => {
  it('when the address is a comma-separated list, then calls go round robin over the replicas', async () => {
    const [a, b] = [await replica('a'), await replica('b')];
    const c = client(`${a.url}, ${b.url}/`);
    const seen = [];
    for (let i = 0; i < 6; i++) seen.push(await replicaOf(c));
    expect(seen).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
  });

  it('when one replica refuses connections, then every call, writes included, is answered by the other', async () => {
    const alive = await replica('alive');
    const c = client([`http://127.0.0.1:${await freePort()}`, alive.url]);
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push(await replicaOf(c, i % 2 ? 'POST' : 'GET'));
    expect(seen).toEqual(['alive', 'alive', 'alive', 'alive']);
    expect(alive.seen.map((s) => s.method)).toEqual(['GET', 'POST', 'GET', 'POST']);
    expect(c.circuitState).toBe('closed');
  });

  it('when every replica refuses connections, then the call fails with 503 dependency_unavailable', async () => {
    const c = client([`http://127.0.0.1:${await freePort()}`, `http://127.0.0.1:${await freePort()}`]);
    const err = await c.get('/who').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    expect(err).toMatchObject({ status: 503, code: 'dependency_unavailable' });
  });

  it('when a replica drops the connection without answering, then a GET goes to the next one and a POST fails', async () => {
    const dropping = await startServer((req) => req.socket.destroy());
    servers.push(dropping);
    const alive = await replica('alive');
    const c = client([dropping.url, alive.url]);
    expect(await replicaOf(c, 'GET')).toBe('alive');
    // The turn is back on the dropping replica: a write may have reached it, so it is not sent twice.
    const err = await c.post('/who', { body: { text: 'once' } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 503 });
    expect(alive.seen.filter((s) => s.method === 'POST')).toHaveLength(0);
    expect(dropping.seen.filter((s) => s.method === 'POST')).toHaveLength(1);
  });
});

describe('ReplicaRing', () => {
  it('when a replica refused, then it is passed over until SKIP_REFUSED_MS has gone by', () => {
    const ring = ReplicaRing.ofUrls('http://a:1,http://b:1,http://c:1');
    const t0 = 1_000_000;
    ring.refused(1, t0);
    const picks = [0, 1, 2, 3].map(() => ring.items[ring.pick(t0 + 10)]);
    expect(picks).toEqual(['http://a:1', 'http://c:1', 'http://a:1', 'http://c:1']);
    const later = [0, 1, 2].map(() => ring.items[ring.pick(t0 + SKIP_REFUSED_MS)]);
    expect(later).toEqual(['http://a:1', 'http://b:1', 'http://c:1']);
  });

  it('when every replica refused, then the turn goes on over all of them', () => {
    const ring = ReplicaRing.ofUrls(['http://a:1', 'http://b:1']);
    ring.refused(0, 5);
    ring.refused(1, 5);
    expect([ring.pick(6), ring.pick(6), ring.pick(6)]).toEqual([0, 1, 0]);
  });

  it('when the list is empty, then building the ring fails', () => {
    expect(() => ReplicaRing.ofUrls(' , ')).toThrow('at least one replica');
  });
});
