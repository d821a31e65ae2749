import net, { type AddressInfo } from 'node:net';
import http from 'node:http';
import { closeNow, proxyFront, useClosers } from './proxy-front';

/** A TCP server that answers each request head with `answer(head, index)`, byte for byte. */
interface RawServer {
  port: number;
  heads: string[];
  connections: number;
  sockets: net.Socket[];
  close(): Promise<void>;
}

function rawServer(answer: (head: string, socket: net.Socket, index: number) => void): Promise<RawServer> {
  const s: RawServer = { port: 0, heads: [], connections: 0, sockets: [], close: () => Promise.resolve() };
  const server = net.createServer((socket) => {
    s.connections++;
    s.sockets.push(socket);
    let buffered = '';
    socket.on('data', (d) => {
      buffered += d.toString('latin1');
      for (let end = buffered.indexOf('\r\n\r\n'); end !== -1; end = buffered.indexOf('\r\n\r\n')) {
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        s.heads.push(head);
        answer(head, socket, s.heads.length - 1);
      }
    });
    socket.on('error', () => undefined);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      s.port = (server.address() as AddressInfo).port;
      s.close = () =>
        new Promise((done) => {
          for (const sock of s.sockets) sock.destroy();
          server.close(() => done());
        });
      resolve(s);
    });
  });
}

interface Outcome {
  status?: number;
  headers?: http.IncomingHttpHeaders;
  body: string;
  /** The client's connection was cut instead of answered. */
  cut?: boolean;
}

/** A client of the proxy: one request, what came back. `slowReader` reads the body only after a delay. */
function send(port: number, method = 'GET', o: { headers?: Record<string, string>; body?: Buffer; slowReaderMs?: number } = {}) {
  return new Promise<Outcome>((resolve) => {
    const out: Outcome = { body: '' };
    const req = http.request({ host: '127.0.0.1', port, method, path: '/msg?channel=tech', headers: o.headers, agent: false }, (res) => {
      Object.assign(out, { status: res.statusCode, headers: res.headers });
      res.setEncoding('latin1');
      const read = () => {
        res.on('data', (c: string) => (out.body += c));
        res.on('end', () => resolve(out));
        res.on('error', () => resolve({ ...out, cut: true }));
      };
      if (o.slowReaderMs) {
        res.pause();
        setTimeout(() => (res.resume(), read()), o.slowReaderMs);
      } else read();
    });
    req.on('error', () => resolve({ ...out, cut: true }));
    req.end(o.body);
  });
}

const ok = (body: string, extra = '') =>
  `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n${extra}\r\n${body}`;
const closers = useClosers();
const front = (upstreamPort: number, o: { timeoutMs?: number; maxSockets?: number } = {}) =>
  proxyFront(closers, `http://127.0.0.1:${upstreamPort}`, o);

async function setup(answer: Parameters<typeof rawServer>[0], o: { timeoutMs?: number; maxSockets?: number } = {}) {
  const server = await rawServer(answer);
  closers.push(() => server.close());
  const { port } = await front(server.port, o);
  return { server, port };
}

describe('the upstream proxy over undici', () => {
  test('when two requests follow each other, then one keep-alive socket carries both, with the forwarded headers', async () => {
    const { server, port } = await setup((_h, s, i) => s.write(ok(`answer ${i}`, 'X-Thing: one\r\n')));
    const a = await send(port, 'GET', { headers: { 'x-request-id': 'abc', connection: 'close' } });
    const b = await send(port);
    expect([a.status, a.body, b.body, a.headers?.['x-thing']]).toEqual([200, 'answer 0', 'answer 1', 'one']);
    expect(server.connections).toBe(1);
    const head = server.heads[0].toLowerCase();
    expect(head.startsWith('get /msg?channel=tech http/1.1\r\n')).toBe(true);
    expect(head).toContain('x-request-id: abc');
    expect(head).toContain('x-forwarded-for: 127.0.0.1');
    expect(head).not.toContain('connection: close');
  });

  test('when the answer is chunked, then the body arrives whole and the socket is reused', async () => {
    const { server, port } = await setup((_h, s) =>
      s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n'),
    );
    expect((await send(port)).body).toBe('hello world');
    expect((await send(port)).body).toBe('hello world');
    expect(server.connections).toBe(1);
  });

  test('when the answer runs until the upstream closes, then it completes at the close and the next request opens a new socket', async () => {
    const { server, port } = await setup((_h, s) => s.end('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end'));
    expect((await send(port)).body).toBe('until the end');
    const next = await send(port);
    expect([next.body, next.cut]).toEqual(['until the end', undefined]);
    expect(server.connections).toBe(2);
  });

  test('when 103 Early Hints come first, then only the final answer is passed on', async () => {
    const { port } = await setup((_h, s) => s.write(`HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n${ok('final')}`));
    const r = await send(port);
    expect([r.status, r.body, r.headers?.link]).toEqual([200, 'final', undefined]);
  });

  test('when a HEAD answer announces a length, then it completes without waiting for a body, and the next request is answered', async () => {
    const headAnswer = 'HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n';
    const { server, port } = await setup((h, s) => s.write(h.startsWith('HEAD') ? headAnswer : ok('after')));
    const head = await send(port, 'HEAD');
    expect([head.status, head.body, head.headers?.['content-length']]).toEqual([200, '', '500']);
    expect((await send(port)).body).toBe('after');
    // undici closes a socket after HEAD (a misbehaving server may send a body anyway): a fresh one.
    expect(server.connections).toBe(2);
  });

  test('when an answer has more than 32 header lines, then every one is passed on', async () => {
    const many = Array.from({ length: 40 }, (_, i) => `X-H${i}: ${i}\r\n`).join('');
    const { port } = await setup((_h, s) => s.write(ok('many', many)));
    const r = await send(port);
    expect(r.headers?.['x-h0']).toBe('0');
    expect(r.headers?.['x-h39']).toBe('39');
  });

  test('when more requests than sockets are in flight, then the rest wait their turn and all complete', async () => {
    const { server, port } = await setup((_h, s, i) => setTimeout(() => s.write(ok(`n${i}`)), 20), { maxSockets: 2 });
    const all = await Promise.all(Array.from({ length: 7 }, () => send(port)));
    expect(all.map((r) => r.body).sort()).toEqual(['n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6']);
    expect(server.connections).toBe(2);
  });

  test('when the upstream answers garbage, then 503, and the socket is not reused', async () => {
    const { server, port } = await setup((_h, s, i) => s.write(i === 0 ? 'NOT HTTP AT ALL\r\n\r\n' : ok('clean')));
    expect((await send(port)).status).toBe(503);
    expect((await send(port)).body).toBe('clean');
    expect(server.connections).toBe(2);
  });

  test('when the client reads slowly, then no timeout fires while the upstream is paused and the whole body arrives', async () => {
    const big = 'x'.repeat(4 * 1024 * 1024);
    const { port } = await setup((_h, s) => s.write(ok(big)), { timeoutMs: 100 });
    const r = await send(port, 'GET', { slowReaderMs: 400 });
    expect([r.status, r.body.length, r.cut]).toEqual([200, big.length, undefined]);
  });

  test('when a large body is posted, then it reaches the upstream whole, streamed', async () => {
    let received = 0;
    const upstream = http.createServer((req, res) => {
      req.on('data', (c: Buffer) => (received += c.length));
      req.on('end', () => res.end(JSON.stringify({ received })));
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
    closers.push(() => closeNow(upstream));
    const { port } = await front((upstream.address() as AddressInfo).port);
    const body = Buffer.alloc(5 * 1024 * 1024, 7);
    const r = await send(port, 'POST', { body, headers: { 'content-type': 'application/octet-stream' } });
    expect([r.status, JSON.parse(r.body)]).toEqual([200, { received: body.length }]);
  });

  test('when the proxy is closed, then a new request gets 503', async () => {
    const { port, proxy } = await (async () => {
      const server = await rawServer((_h, s) => s.write(ok('x')));
      closers.push(() => server.close());
      return front(server.port);
    })();
    proxy.close();
    expect((await send(port)).status).toBe(503);
  });
});
