import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeNow, proxyFront, useClosers } from './proxy-front';
import { refusedUrl } from './support';

const closers = useClosers();

/** A replica that answers its own name. */
async function replica(name: string): Promise<string> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end(JSON.stringify({ replica: name })));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  closers.push(() => closeNow(server));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const front = async (targets: string[]) => (await proxyFront(closers, targets)).url;

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
    const url = await front([await refusedUrl(), await replica('b')]);
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${url}/msg`);
      expect({ status: res.status, body: await res.json() }).toEqual({ status: 200, body: { replica: 'b' } });
    }
  });

  it('when one replica refuses a write, then that write gets 503 JSON (never sent) and the next ones go to the live replica', async () => {
    const url = await front([await refusedUrl(), await replica('b')]);
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
    const url = await front([await refusedUrl(), await refusedUrl()]);
    const res = await fetch(`${url}/msg`);
    expect({ status: res.status, code: ((await res.json()) as { code: string }).code }).toEqual({
      status: 503,
      code: 'service_unavailable',
    });
  });
});
