import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { Redis } from 'ioredis';
import { uniqueName } from '@canaduck/testing';
import type { Gateway } from '../src/app';
import { clientKey } from '../src/middleware/auth-rate-limit';
import { buildGateway, closeAll, startUpstreams, urlsOf, type UpstreamSet } from './support';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

let up: UpstreamSet;
const opened: Gateway[] = [];
beforeAll(async () => {
  up = await startUpstreams();
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((g) => g.shutdown()));
});
afterAll(() => closeAll(up));

/** A gateway behind one trusted proxy (the forwarded address is the client's); `prefix` set: counters in Redis. */
function gateway(env: Record<string, string>, prefix?: string): Gateway {
  const gw = buildGateway(urlsOf(up), {
    TRUST_PROXY: '1',
    RATE_LIMIT_WINDOW_MS: '60000',
    ...(prefix ? { REDIS_URL, RATE_LIMIT_KEY_PREFIX: prefix } : {}),
    ...env,
  });
  opened.push(gw);
  return gw;
}

const login = (gw: Gateway, from: string, pseudo: string) =>
  request(gw.handler).post('/login').set('X-Forwarded-For', from).send({ pseudo, password: 'not it' });

describe('clientKey', () => {
  it.each([
    { address: '203.0.113.7', key: 'v4:203.0.113.7' },
    { address: '::ffff:203.0.113.7', key: 'v4:203.0.113.7' },
    { address: '2001:db8:1:2:aaaa::1', key: 'v6:2001:db8:1:2::/64' },
    { address: '2001:db8:1:2:ffff:ffff:ffff:ffff', key: 'v6:2001:db8:1:2::/64' },
    { address: '2001:db8:1:3::1', key: 'v6:2001:db8:1:3::/64' },
  ])('when the client address is $address, then it is counted as $key', ({ address, key }) => {
    expect(clientKey(address)).toBe(key);
  });
});

describe('/login and /register limits in memory (no REDIS_URL)', () => {
  it('when one account is tried from many addresses, then past RATE_LIMIT_ACCOUNT_MAX it is 429 rate_limited, and the body still reaches user-service intact', async () => {
    const gw = gateway({ RATE_LIMIT_MAX: '100', RATE_LIMIT_ACCOUNT_MAX: '3' });
    const victim = uniqueName('victim');
    for (let i = 0; i < 3; i++) expect((await login(gw, `198.51.100.${i + 1}`, victim)).status).toBe(200);
    const last = up.user.requests[up.user.requests.length - 1];
    expect(JSON.parse(String(last.body))).toEqual({ pseudo: victim, password: 'not it' });

    const res = await login(gw, '198.51.100.99', victim.toUpperCase());
    expect(res.status).toBe(429);
    expect(res.body).toMatchObject({ code: 'rate_limited' });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect((await login(gw, '198.51.100.99', uniqueName('other'))).status).toBe(200);
  });

  it('when an IPv6 client changes address inside its /64, then it is counted as one client; another /64 is not', async () => {
    const gw = gateway({ RATE_LIMIT_MAX: '2', RATE_LIMIT_ACCOUNT_MAX: '100' });
    expect((await login(gw, '2001:db8:5:6::1', uniqueName('a'))).status).toBe(200);
    expect((await login(gw, '2001:db8:5:6::2', uniqueName('a'))).status).toBe(200);
    expect((await login(gw, '2001:db8:5:6:abcd::3', uniqueName('a'))).status).toBe(429);
    expect((await login(gw, '2001:db8:5:7::1', uniqueName('a'))).status).toBe(200);
  });
});

describe('/login and /register limits in Redis (REDIS_URL)', () => {
  const prefix = () => `test:auth-limit:${randomBytes(6).toString('hex')}`;
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });
  afterAll(() => redis.quit());

  it('when two gateway replicas share Redis, then a client and an account are counted across both', async () => {
    const keys = prefix();
    const [a, b] = [
      gateway({ RATE_LIMIT_MAX: '3', RATE_LIMIT_ACCOUNT_MAX: '100' }, keys),
      gateway({ RATE_LIMIT_MAX: '3', RATE_LIMIT_ACCOUNT_MAX: '100' }, keys),
    ];
    expect((await login(a, '192.0.2.10', uniqueName('r'))).status).toBe(200);
    expect((await login(b, '192.0.2.10', uniqueName('r'))).status).toBe(200);
    expect((await login(a, '192.0.2.10', uniqueName('r'))).status).toBe(200);
    const refused = await login(b, '192.0.2.10', uniqueName('r'));
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(await redis.keys(`${keys}:*`)).not.toEqual([]);

    const accounts = prefix();
    const [c, d] = [gateway({ RATE_LIMIT_ACCOUNT_MAX: '2' }, accounts), gateway({ RATE_LIMIT_ACCOUNT_MAX: '2' }, accounts)];
    const victim = uniqueName('victim');
    expect((await login(c, '192.0.2.20', victim)).status).toBe(200);
    expect((await login(d, '192.0.2.21', victim)).status).toBe(200);
    expect((await login(c, '192.0.2.22', victim)).status).toBe(429);
    await redis.del(...(await redis.keys(`${keys}:*`)), ...(await redis.keys(`${accounts}:*`)));
  });

  it('when /register is hammered through two replicas, then it is limited by the shared counter, apart from /login', async () => {
    const keys = prefix();
    const [a, b] = [gateway({ RATE_LIMIT_MAX: '1' }, keys), gateway({ RATE_LIMIT_MAX: '1' }, keys)];
    expect(
      (
        await request(a.handler)
          .post('/register')
          .set('X-Forwarded-For', '192.0.2.30')
          .send({ pseudo: uniqueName('n') })
      ).status,
    ).toBe(200);
    expect(
      (
        await request(b.handler)
          .post('/register')
          .set('X-Forwarded-For', '192.0.2.30')
          .send({ pseudo: uniqueName('n') })
      ).status,
    ).toBe(429);
    expect((await login(b, '192.0.2.30', uniqueName('n'))).status).toBe(200);
    await redis.del(...(await redis.keys(`${keys}:*`)));
  });
});
