import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { bearer, uniqueName } from '@canaduck/testing';
import type { Gateway } from '../src/app';
import { buildGateway, closeAll, gatewayOverRaw, startUpstreams, urlsOf, type UpstreamSet } from './support';

let up: UpstreamSet;
beforeAll(async () => {
  up = await startUpstreams();
});
afterAll(() => closeAll(up));

describe('CORS', () => {
  let gw: Gateway;
  beforeAll(() => {
    gw = buildGateway(urlsOf(up));
  });
  afterAll(() => gw.shutdown());

  test('when a browser sends a preflight, then 204 with the allowed methods and headers, without credentials, and no service is called', async () => {
    const before = up.message.requests.length;
    const res = await request(gw.handler)
      .options('/msg')
      .set('Origin', 'https://hoppscotch.io')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-methods']).toMatch(/POST/);
    expect(res.headers['access-control-allow-headers']).toMatch(/Authorization/i);
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    expect(up.message.requests.length).toBe(before);
  });

  test('when a proxied answer comes back, then it carries the CORS and security headers and no X-Powered-By', async () => {
    const res = await request(gw.handler).get('/channel').set('Origin', 'https://hoppscotch.io');
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-expose-headers']).toMatch(/X-Request-Id/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  test('when an API answer comes back, then it carries the REST security set and not the headers meant for HTML pages', async () => {
    for (const res of [await request(gw.handler).get('/channel'), await request(gw.handler).get('/health')]) {
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=/);
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
      for (const pageOnly of [
        'cross-origin-opener-policy',
        'origin-agent-cluster',
        'x-dns-prefetch-control',
        'x-download-options',
        'x-permitted-cross-domain-policies',
        'x-xss-protection',
      ]) {
        expect(res.headers[pageOnly]).toBeUndefined();
      }
    }
    // The Swagger UI page is HTML: it keeps them.
    const page = await request(gw.handler).get('/docs/');
    expect(page.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(page.headers['x-dns-prefetch-control']).toBe('off');
  });

  test('when CORS_ORIGINS lists origins, then only those are allowed', async () => {
    const strict = buildGateway(urlsOf(up), { CORS_ORIGINS: 'https://app.canaduck.example' });
    const ok = await request(strict.handler).get('/channel').set('Origin', 'https://app.canaduck.example');
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.canaduck.example');
    const other = await request(strict.handler).get('/channel').set('Origin', 'https://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    await strict.shutdown();
  });
});

describe('rate limit on /login and /register', () => {
  test('when a client goes over RATE_LIMIT_MAX logins in the window, then 429 JSON with Retry-After, and the service is not called', async () => {
    const gw = buildGateway(urlsOf(up), { RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '60000' });
    for (let i = 0; i < 3; i++) {
      expect(
        (
          await request(gw.handler)
            .post('/login')
            .send({ pseudo: 'roger', password: `p${i}` })
        ).status,
      ).toBe(200);
    }
    const before = up.user.requests.length;
    const res = await request(gw.handler).post('/login').send({ pseudo: 'roger', password: 'p4' });
    expect(res.status).toBe(429);
    expect(res.body.code).toBe('rate_limited');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(up.user.requests.length).toBe(before);
    // /register keeps its own counter; other routes are not limited.
    expect((await request(gw.handler).post('/register').send({ pseudo: uniqueName() })).status).toBe(200);
    expect((await request(gw.handler).get('/whois/roger')).status).toBe(200);
    await gw.shutdown();
  });

  test.each([
    ['false', /^(::ffff:)?127\.0\.0\.1$/],
    ['1', /^203\.0\.113\.9$/],
  ])(
    'when TRUST_PROXY is %s and the client sends its own X-Forwarded-For chain, then the service gets only the address the gateway resolved',
    async (trust, expected) => {
      const gw = buildGateway(urlsOf(up), { TRUST_PROXY: trust });
      const before = up.user.requests.length;
      await request(gw.handler).get('/whois/roger').set('X-Forwarded-For', '10.6.6.6, 203.0.113.9').expect(200);
      const sent = up.user.requests.slice(before).find((r) => r.url === '/whois/roger');
      expect(String(sent?.headers['x-forwarded-for'])).toMatch(expected);
      await gw.shutdown();
    },
  );

  test('when /register is hammered, then it is limited too', async () => {
    const gw = buildGateway(urlsOf(up), { RATE_LIMIT_MAX: '2' });
    await request(gw.handler).post('/register').send({});
    await request(gw.handler).post('/register').send({});
    const res = await request(gw.handler).post('/register').send({});
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBeDefined();
    await gw.shutdown();
  });

  test('when TRUST_PROXY is set, then clients behind the proxy are counted by their forwarded address', async () => {
    const gw = buildGateway(urlsOf(up), { RATE_LIMIT_MAX: '1', TRUST_PROXY: '1' });
    expect((await request(gw.handler).post('/login').set('X-Forwarded-For', '203.0.113.1').send({})).status).toBe(200);
    expect((await request(gw.handler).post('/login').set('X-Forwarded-For', '203.0.113.2').send({})).status).toBe(200);
    expect((await request(gw.handler).post('/login').set('X-Forwarded-For', '203.0.113.1').send({})).status).toBe(429);
    await gw.shutdown();
  });

  test('when other writes are many, then they are not rate limited', async () => {
    const gw = buildGateway(urlsOf(up), { RATE_LIMIT_MAX: '1' });
    const header = bearer(uniqueName());
    for (let i = 0; i < 3; i++) expect((await request(gw.handler).post('/msg').set('Authorization', header).send({})).status).toBe(200);
    await gw.shutdown();
  });
});

describe('headers of proxied answers', () => {
  const servers: http.Server[] = [];
  afterAll(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

  test('when the same request goes through the fast path and through Express alone, then the answers carry the same headers', async () => {
    const gw = buildGateway(urlsOf(up));
    const header = bearer(uniqueName());
    const ask = (entry: Gateway['handler'] | Gateway['app']) =>
      request(entry)
        .get('/msg?channel=tech')
        .set('Authorization', header)
        .set('X-Request-Id', 'same-id')
        .set('Origin', 'https://hoppscotch.io');
    const [fast, express] = [await ask(gw.handler), await ask(gw.app)];
    // The echo's body (hence its length and ETag) shows each server's own port: not compared.
    const strip = (h: Record<string, string>) =>
      Object.fromEntries(Object.entries(h).filter(([k]) => !['date', 'etag', 'content-length'].includes(k)));
    expect(fast.status).toBe(200);
    expect(strip(fast.headers)).toEqual(strip(express.headers));
    expect(fast.headers['content-security-policy']).toMatch(/default-src 'none'/);
    await gw.shutdown();
  });

  test('when the upstream repeats headers, then they reach the client merged as Node reads them, without X-Powered-By', async () => {
    const t = await gatewayOverRaw(up, ['stats'], (_req, res) => {
      res.writeHead(200, [
        'Set-Cookie',
        'a=1',
        'Set-Cookie',
        'b=2',
        'X-Thing',
        'one',
        'X-Thing',
        'two',
        'ETag',
        '"first"',
        'ETag',
        '"second"',
        'X-Powered-By',
        'Express',
        'X-Frame-Options',
        'DENY',
        'Content-Type',
        'text/plain',
      ]);
      res.end('ok');
    });
    const res = await request(t.gw.handler).get('/stats/active-channels');
    expect(res.status).toBe(200);
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(res.headers['x-thing']).toBe('one, two');
    expect(res.headers.etag).toBe('"first"');
    expect(res.headers['x-powered-by']).toBeUndefined();
    // The upstream's own value of a header the gateway also sets wins.
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.text).toBe('ok');
    await t.close();
  });

  test('when an answer with a Content-Length arrives in pieces, then the client gets all of it, the first piece before the last is sent', async () => {
    let sendRest!: () => void;
    const t = await gatewayOverRaw(up, ['stats'], (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '10' });
      res.write('hello');
      sendRest = () => res.end('world');
    });
    const port = await new Promise<number>((resolve) => {
      const server = http.createServer(t.gw.handler).listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
      servers.push(server);
    });
    const body = await new Promise<string>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: '/stats/active-channels' }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            text += c;
            if (text === 'hello') sendRest();
          });
          res.on('end', () => resolve(text));
        })
        .on('error', reject);
    });
    expect(body).toBe('helloworld');
    await t.close();
  });
});
