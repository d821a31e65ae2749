import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { UpstreamError, UpstreamPool, type UpstreamHandler } from '../src/proxy/upstream-pool';

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
  statusText?: string;
  headers?: string[];
  body: string;
  error?: UpstreamError;
}

/** Dispatches one request and collects what the handler is told; `pauseAfterFirst` holds the body. */
function send(pool: UpstreamPool, method = 'GET', headers: string[] = ['host', 'upstream'], hold?: (resume: () => void) => void) {
  return new Promise<Outcome>((resolve) => {
    const out: Outcome = { body: '' };
    let resumeUpstream: () => void = () => undefined;
    const handler: UpstreamHandler = {
      onConnect: () => undefined,
      onHeaders(status, h, resume, statusText) {
        Object.assign(out, { status, headers: h, statusText });
        resumeUpstream = resume;
        return true;
      },
      onData(chunk) {
        out.body += chunk.toString('latin1');
        if (hold && out.body.length === chunk.length) {
          hold(resumeUpstream);
          return false;
        }
        return true;
      },
      onComplete: () => resolve(out),
      onError: (err) => resolve({ ...out, error: err as UpstreamError }),
    };
    pool.dispatch({ method, path: '/msg?channel=tech', headers }, handler);
  });
}

const ok = (body: string, extra = '') =>
  `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n${extra}\r\n${body}`;
const options = { connections: 4, timeoutMs: 2000, idleMs: 30000 };
const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});
async function setup(answer: Parameters<typeof rawServer>[0], o = options) {
  const server = await rawServer(answer);
  const pool = new UpstreamPool('127.0.0.1', server.port, o);
  closers.push(
    () => pool.close(),
    () => server.close(),
  );
  return { server, pool };
}

describe('UpstreamPool', () => {
  test('when two requests follow each other, then one keep-alive socket carries both and the head is sent as given', async () => {
    const { server, pool } = await setup((_h, s, i) => s.write(ok(`answer ${i}`, 'X-Thing: one\r\n')));
    const a = await send(pool, 'GET', ['host', 'upstream', 'x-request-id', 'abc']);
    const b = await send(pool);
    expect([a.status, a.statusText, a.body, b.body]).toEqual([200, 'OK', 'answer 0', 'answer 1']);
    expect(a.headers).toEqual(['Content-Type', 'text/plain', 'Content-Length', '8', 'X-Thing', 'one']);
    expect(server.connections).toBe(1);
    expect(server.heads[0]).toBe('GET /msg?channel=tech HTTP/1.1\r\nhost: upstream\r\nx-request-id: abc');
  });

  test('when the answer is chunked, then the body arrives whole and the socket is reused', async () => {
    const { server, pool } = await setup((_h, s) =>
      s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n'),
    );
    expect((await send(pool)).body).toBe('hello world');
    expect((await send(pool)).body).toBe('hello world');
    expect(server.connections).toBe(1);
  });

  test('when the answer runs until the upstream closes, then it completes at the close and the next request opens a new socket', async () => {
    const { server, pool } = await setup((_h, s) => s.end('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end'));
    expect((await send(pool)).body).toBe('until the end');
    const next = await send(pool);
    expect([next.body, next.error]).toEqual(['until the end', undefined]);
    expect(server.connections).toBe(2);
  });

  test('when 103 Early Hints come first, then only the final answer is passed on', async () => {
    const { pool } = await setup((_h, s) => s.write(`HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n${ok('final')}`));
    const r = await send(pool);
    expect([r.status, r.body]).toEqual([200, 'final']);
  });

  test('when a HEAD answer announces a length, then it completes without waiting for a body, and the socket is reused', async () => {
    const { server, pool } = await setup((h, s) =>
      s.write(h.startsWith('HEAD') ? 'HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n' : ok('after')),
    );
    const head = await send(pool, 'HEAD');
    expect([head.status, head.body, head.error]).toEqual([200, '', undefined]);
    expect((await send(pool)).body).toBe('after');
    expect(server.connections).toBe(1);
  });

  test('when an answer has more than 32 header lines, then every one is passed on', async () => {
    const many = Array.from({ length: 40 }, (_, i) => `X-H${i}: ${i}\r\n`).join('');
    const { pool } = await setup((_h, s) => s.write(ok('many', many)));
    const r = await send(pool);
    expect(r.headers).toHaveLength(2 * 42);
    expect(r.headers?.slice(-2)).toEqual(['X-H39', '39']);
  });

  test('when more requests than connections are in flight, then the rest wait their turn and all complete', async () => {
    const { server, pool } = await setup((_h, s, i) => setTimeout(() => s.write(ok(`n${i}`)), 20), { ...options, connections: 2 });
    const all = await Promise.all(Array.from({ length: 7 }, () => send(pool)));
    expect(all.map((r) => r.body).sort()).toEqual(['n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6']);
    expect(server.connections).toBe(2);
  });

  test('when the upstream stays silent, then UPSTREAM_TIMEOUT after the timeout', async () => {
    const { pool } = await setup(() => undefined, { ...options, timeoutMs: 150 });
    const started = Date.now();
    const r = await send(pool);
    expect(r.error?.code).toBe('UPSTREAM_TIMEOUT');
    expect(Date.now() - started).toBeGreaterThanOrEqual(120);
  });

  test('when the upstream closes the socket before answering, then a reset error (the proxy may retry a GET)', async () => {
    const { pool } = await setup((_h, s) => s.destroy());
    expect((await send(pool)).error?.code).toBe('ECONNRESET');
  });

  test('when nothing listens, then the connection error is passed on at once', async () => {
    const probe = net.createServer();
    const port = await new Promise<number>((resolve) => probe.listen(0, '127.0.0.1', () => resolve((probe.address() as AddressInfo).port)));
    await new Promise((resolve) => probe.close(resolve));
    const pool = new UpstreamPool('127.0.0.1', port, options);
    closers.push(() => pool.close());
    expect((await send(pool)).error?.code).toBe('ECONNREFUSED');
  });

  test('when the upstream answers garbage, then a parser error, and the socket is not reused', async () => {
    const { server, pool } = await setup((_h, s, i) => s.write(i === 0 ? 'NOT HTTP AT ALL\r\n\r\n' : ok('clean')));
    expect((await send(pool)).error?.code).toMatch(/^HPE_/);
    expect((await send(pool)).body).toBe('clean');
    expect(server.connections).toBe(2);
  });

  test('when a header value holds a line break, then nothing is sent and the request fails', async () => {
    const { server, pool } = await setup((_h, s) => s.write(ok('never')));
    const r = await send(pool, 'GET', ['host', 'upstream', 'x-evil', 'a\r\nx-injected: 1']);
    expect(r.error?.code).toBe('INVALID_HEADER');
    expect(server.heads).toEqual([]);
  });

  test('when the handler pauses the body, then no timeout fires while paused and the rest follows on resume', async () => {
    let release!: () => void;
    const { pool } = await setup(
      (_h, s) => {
        s.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello');
        setTimeout(() => s.write('world'), 50);
      },
      { ...options, timeoutMs: 100 },
    );
    const pending = send(pool, 'GET', ['host', 'upstream'], (resume) => (release = resume));
    await new Promise((r) => setTimeout(r, 300));
    release();
    const r = await pending;
    expect([r.body, r.error]).toEqual(['helloworld', undefined]);
  });

  test('when the pool is closed, then a new request fails at once', async () => {
    const { pool } = await setup((_h, s) => s.write(ok('x')));
    pool.close();
    expect((await send(pool)).error?.code).toBe('POOL_CLOSED');
  });
});
