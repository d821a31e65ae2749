import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { bearer, uniqueName } from '@canaduck/testing';
import type { Gateway } from '../src/app';
import { buildGateway, describeBothEntries, urlsOf, closeServer, type Upstream, type UpstreamSet } from './support';

describeBothEntries((g) => {
  const admin = () => bearer(uniqueName('admin'), ['user', 'admin']);
  const user = () => bearer(uniqueName('u'));

  /** Every prefix of structures.md section 6, with a method that passes the gateway's checks. */
  const table: Array<[string, string, keyof UpstreamSet, () => string | undefined]> = [
    ['POST', '/register', 'user', () => undefined],
    ['POST', '/login', 'user', () => undefined],
    ['POST', '/logout', 'user', user],
    ['GET', '/whois/roger', 'user', () => undefined],
    ['GET', '/seen/roger', 'user', () => undefined],
    ['GET', '/ison?pseudos=roger,ginette', 'user', () => undefined],
    ['GET', '/user/roger', 'user', () => undefined],
    ['PUT', '/user/roger/status', 'user', user],
    ['POST', '/user/roles/roger', 'user', admin],
    ['DELETE', '/user/roles/roger/admin', 'user', admin],
    ['POST', '/make-admin/roger', 'user', admin],
    ['GET', '/.well-known/jwks.json', 'user', () => undefined],
    ['GET', '/msg?channel=tech&limit=5', 'message', user],
    ['POST', '/msg', 'message', user],
    ['GET', '/msg/private?with=ginette', 'message', user],
    ['PATCH', '/msg/42', 'message', user],
    ['DELETE', '/msg/42/reactions/%F0%9F%91%8D', 'message', user],
    ['GET', '/channel', 'channel', () => undefined],
    ['POST', '/channel', 'channel', user],
    ['GET', '/channel/tech/config', 'channel', () => undefined],
    ['POST', '/channel/tech/mode', 'channel', user],
    ['GET', '/stats/active-channels?limit=5', 'stats', () => undefined],
    ['GET', '/stats/hourly-activity?hours=24', 'stats', () => undefined],
  ];

  describe('routing table', () => {
    test.each(table)('when %s %s is called, then %s answers it with method, path and query intact', async (method, path, service, auth) => {
      const id = `rt-${uniqueName('r')}`;
      let r = request(g.entry())[method.toLowerCase() as 'get'](path).set('X-Request-Id', id);
      const header = auth();
      if (header) r = r.set('Authorization', header);
      const res = await r;
      expect(res.status).toBe(200);
      expect(res.body.service).toBe(`${service}-service`);
      expect(res.body.method).toBe(method);
      expect(res.body.url).toBe(path);
      expect(res.body.headers['x-request-id']).toBe(id);
      if (header) expect(res.body.headers.authorization).toBe(header);
      expect(res.headers['x-request-id']).toBe(id);
    });

    test('when a JSON body is sent, then it arrives byte for byte with its content type', async () => {
      const body = { channel: 'tech', text: `coucou ${uniqueName()} 🦆` };
      const res = await request(g.entry()).post('/msg').set('Authorization', user()).send(body);
      expect(res.status).toBe(200);
      const seen = g.up.message.requests.find((q) => q.body.includes(body.text));
      expect(seen).toBeDefined();
      expect(JSON.parse(seen!.body)).toEqual(body);
      expect(seen!.headers['content-type']).toMatch(/application\/json/);
    });

    test('when the request passes, then X-Forwarded-For and X-Forwarded-Proto are set for the upstream', async () => {
      const res = await request(g.entry()).get('/channel');
      expect(res.body.headers['x-forwarded-for']).toMatch(/127\.0\.0\.1/);
      expect(res.body.headers['x-forwarded-proto']).toBe('http');
    });

    test('when a 5 MB body is uploaded, then it is streamed through unchanged', async () => {
      const big = randomBytes(5 * 1024 * 1024);
      const res = await request(g.entry())
        .post('/channel/tech/upload')
        .set('Authorization', user())
        .set('Content-Type', 'application/octet-stream')
        .send(big);
      expect(res.status).toBe(200);
      expect(res.body.bodyLength).toBe(big.length);
      expect(res.body.bodySha256).toBe(require('node:crypto').createHash('sha256').update(big).digest('hex'));
    });

    test('when the upstream answers a status and headers, then the client gets them as they are', async () => {
      const res = await request(g.entry()).get('/whois/nobody').set('X-Request-Id', 'abc');
      expect(res.status).toBe(200);
      expect(res.headers['x-powered-by']).toBeUndefined();
    });
  });

  describe('large answers', () => {
    let bigUp: Upstream;
    let bigGw: Gateway;
    const payload = randomBytes(8 * 1024 * 1024);
    beforeAll(async () => {
      const server = http.createServer((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
        // Written in pieces, as a real stream would be.
        let i = 0;
        const step = 256 * 1024;
        const pump = () => {
          while (i < payload.length) {
            const ok = res.write(payload.subarray(i, i + step));
            i += step;
            if (!ok) return void res.once('drain', pump);
          }
          res.end();
        };
        pump();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      bigUp = {
        name: 'stats-service',
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        requests: [],
        close: () => closeServer(server),
      };
      bigGw = buildGateway({ ...urlsOf(g.up), stats: bigUp.url });
    });
    afterAll(async () => {
      await bigGw.shutdown();
      await bigUp.close();
    });

    test('when the upstream streams 8 MB, then the client receives all of it', async () => {
      const res = await request(bigGw.handler)
        .get('/stats/export')
        .buffer(true)
        .parse((r, cb) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => cb(null, Buffer.concat(chunks)));
        });
      expect(res.status).toBe(200);
      expect(Buffer.compare(res.body as Buffer, payload)).toBe(0);
    });
  });

  describe('paths that are never routed', () => {
    test.each([
      ['GET', '/internal/events?after=0'],
      ['POST', '/internal/activity'],
      ['GET', '/internal/users/roger'],
      ['GET', '/msg/../internal/events'],
      ['GET', '/msg/%2e%2e/internal/events'],
      ['GET', '/nope'],
      ['GET', '/'],
      ['GET', '/login'.toUpperCase()],
      ['GET', '/stats'],
      ['GET', '/whois'],
      ['POST', '/register/extra'],
      ['GET', '/.well-known/other'],
    ])('when %s %s is asked, then the gateway answers a JSON 404 and calls nobody', async (method, path) => {
      const before = Object.values(g.up).reduce((n, u: Upstream) => n + u.requests.length, 0);
      const res = await request(g.entry())[method.toLowerCase() as 'get'](path).set('Authorization', admin());
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(res.body.code).toBe('route_not_found');
      const after = Object.values(g.up).reduce((n, u: Upstream) => n + u.requests.length, 0);
      expect(after).toBe(before);
    });
  });
});
