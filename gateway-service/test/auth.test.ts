import jwt from 'jsonwebtoken';
import request from 'supertest';
import { bearer, expiredToken, serviceBearer, testTokenSettings, uniqueName, userToken } from '@canaduck/testing';
import { describeBothEntries, type Upstream } from './support';

describeBothEntries((g) => {
  const now = () => Math.floor(Date.now() / 1000);
  const sign = (payload: object, opts: jwt.SignOptions = {}, secret = testTokenSettings.secret) =>
    jwt.sign(payload, secret, {
      algorithm: 'HS256',
      issuer: testTokenSettings.issuer,
      audience: testTokenSettings.audience,
      expiresIn: 600,
      ...opts,
    });
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

  /** Every kind of bad token of the security suite, as an Authorization header. */
  const badTokens: Array<[string, () => string]> = [
    ['a malformed header', () => 'Bearer not-a-token'],
    ['another scheme', () => `Basic ${Buffer.from('roger:pw').toString('base64')}`],
    [
      'a wrong signature',
      () => `Bearer ${sign({ pseudo: 'roger', roles: ['user'] }, {}, 'another-secret-that-is-at-least-32-characters')}`,
    ],
    ['an expired token', () => `Bearer ${expiredToken('roger')}`],
    ['a wrong issuer', () => `Bearer ${sign({ pseudo: 'roger', roles: ['user'] }, { issuer: 'evil' })}`],
    ['a wrong audience', () => `Bearer ${sign({ pseudo: 'roger', roles: ['user'] }, { audience: 'other-app' })}`],
    [
      'alg none',
      () =>
        `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64({ pseudo: 'roger', roles: ['admin'], iss: testTokenSettings.issuer, aud: testTokenSettings.audience, exp: now() + 600 })}.`,
    ],
    [
      'no exp',
      () =>
        `Bearer ${jwt.sign({ pseudo: 'roger', roles: ['user'] }, testTokenSettings.secret, { algorithm: 'HS256', issuer: testTokenSettings.issuer, audience: testTokenSettings.audience })}`,
    ],
    [
      'a tampered payload',
      () => {
        const [h, , s] = userToken('roger').split('.');
        return `Bearer ${h}.${b64({ pseudo: 'roger', roles: ['user', 'admin'], iss: testTokenSettings.issuer, aud: testTokenSettings.audience, exp: now() + 600 })}.${s}`;
      },
    ],
    ['a service token', () => serviceBearer('message-service', 'gateway-service')],
  ];

  const protectedRoutes: Array<[string, string]> = [
    ['GET', '/msg?channel=tech'],
    ['POST', '/msg'],
    ['POST', '/channel'],
    ['DELETE', '/channel/tech'],
    ['POST', '/logout'],
    ['GET', '/fullinfo?user=roger&channel=tech'],
  ];

  const calls = () => Object.values(g.up).reduce((n, u: Upstream) => n + u.requests.length, 0);

  describe('JWT refusals', () => {
    test.each(protectedRoutes)('when %s %s comes without a token, then 401 and no service is called', async (method, path) => {
      const before = calls();
      const res = await request(g.entry())[method.toLowerCase() as 'get'](path);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: expect.any(String), code: 'token_missing' });
      expect(calls()).toBe(before);
    });

    describe.each(badTokens)('when the token is %s', (_kind, header) => {
      test.each(protectedRoutes)('then %s %s is a 401 and no service is called', async (method, path) => {
        const before = calls();
        const res = await request(g.entry())[method.toLowerCase() as 'get'](path).set('Authorization', header());
        expect(res.status).toBe(401);
        expect(['invalid_token', 'token_expired']).toContain(res.body.code);
        expect(calls()).toBe(before);
      });

      test('then a public read with it is a 401 too: a client should learn its token is bad', async () => {
        const res = await request(g.entry()).get('/channel').set('Authorization', header());
        expect(res.status).toBe(401);
      });
    });

    test('when a client logs in with a stale token still attached, then the login goes through', async () => {
      const res = await request(g.entry())
        .post('/login')
        .set('Authorization', `Bearer ${expiredToken('roger')}`)
        .send({ pseudo: 'roger', password: 'x' });
      expect(res.status).toBe(200);
      expect(res.body.service).toBe('user-service');
    });

    test('when a public read comes without a token, then it is passed on', async () => {
      const res = await request(g.entry()).get('/whois/roger');
      expect(res.status).toBe(200);
    });

    test('when the same valid token is used twice, then both requests pass (the cache keeps it valid)', async () => {
      const header = bearer(uniqueName());
      for (let i = 0; i < 2; i++) {
        const res = await request(g.entry()).get('/msg?channel=tech').set('Authorization', header);
        expect(res.status).toBe(200);
      }
    });

    test('when a token expires after it was cached, then it is refused', async () => {
      const token = sign({ pseudo: uniqueName(), roles: ['user'] }, { expiresIn: 1 });
      expect((await request(g.entry()).get('/msg?channel=tech').set('Authorization', `Bearer ${token}`)).status).toBe(200);
      // exp has second precision and verification allows 5 s of skew; the cache itself holds only until exp.
      await new Promise((r) => setTimeout(r, 6500));
      const res = await request(g.entry()).get('/msg?channel=tech').set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('token_expired');
    }, 15000);
  });

  describe('admin-only routes', () => {
    test.each([
      ['POST', '/user/roles/roger'],
      ['DELETE', '/user/roles/roger/admin'],
      ['POST', '/make-admin/roger'],
    ])('when %s %s comes with a user token without the admin role, then 403 and no service is called', async (method, path) => {
      const before = calls();
      const res = await request(g.entry())[method.toLowerCase() as 'get'](path).set('Authorization', bearer(uniqueName()));
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: 'the admin role is required', code: 'role_required' });
      expect(calls()).toBe(before);
    });

    test('when an admin-only route comes without a token, then 401', async () => {
      const res = await request(g.entry()).post('/make-admin/roger');
      expect(res.status).toBe(401);
    });

    test('when an admin calls it, then it is passed on with the token', async () => {
      const header = bearer(uniqueName(), ['user', 'admin']);
      const res = await request(g.entry()).post('/make-admin/roger').set('Authorization', header);
      expect(res.status).toBe(200);
      expect(res.body.headers.authorization).toBe(header);
    });
  });
});
