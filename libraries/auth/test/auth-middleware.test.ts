import express, { type Express } from 'express';
import request from 'supertest';
import {
  authenticate,
  bearerToken,
  hasRole,
  requireAuth,
  serviceKeysFrom,
  signServiceToken,
  requireRole,
  signUserToken,
} from '@canaduck/auth';
import { UnauthorizedError, errorMiddleware } from '@canaduck/errors';
import { settings } from './support/settings';

const userBearer = async (pseudo: string, roles: string[] = ['user'], s = settings) =>
  `Bearer ${await signUserToken({ pseudo, roles }, s, 600)}`;
const expiredBearer = async (pseudo: string) => `Bearer ${await signUserToken({ pseudo, roles: ['user'] }, settings, -60)}`;

function buildApp(): Express {
  const app = express();
  app.use(authenticate(settings));
  app.get('/public', (req, res) => {
    res.json({ caller: req.auth?.pseudo ?? null });
  });
  app.get('/me', requireAuth(), (req, res) => {
    res.json(req.auth);
  });
  app.get('/admin', requireRole('admin'), (req, res) => {
    res.json({ result: `hello admin ${req.auth!.pseudo}` });
  });
  const root = express();
  root.use(app);
  root.use(errorMiddleware());
  return root;
}

describe('authenticate', () => {
  const app = buildApp();

  it('when no token is sent on an open route, then the caller is anonymous', async () => {
    const res = await request(app).get('/public');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ caller: null });
  });

  it('when a valid token is sent, then req.auth holds the pseudo and roles', async () => {
    const res = await request(app)
      .get('/public')
      .set('Authorization', await userBearer('roger'));
    expect(res.body).toEqual({ caller: 'roger' });
  });

  it('when an expired token is sent even on an open route, then the answer is 401 token_expired', async () => {
    const res = await request(app)
      .get('/public')
      .set('Authorization', await expiredBearer('roger'));
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'token expired', code: 'token_expired' });
  });

  it('when a token signed with another secret is sent, then the answer is 401 invalid_token', async () => {
    const res = await request(app)
      .get('/public')
      .set('Authorization', await userBearer('roger', ['admin'], { ...settings, secret: 'x'.repeat(40) }));
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('invalid_token');
  });

  it.each(['Basic cm9nZXI6cHc=', 'Bearer', 'Bearer not-a-jwt', 'Token a.b.c', 'Bearer a.b.c extra'])(
    'when the Authorization header is malformed (%p), then the answer is 401',
    async (header) => {
      const res = await request(app).get('/public').set('Authorization', header);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('invalid_token');
    },
  );

  it('when the scheme is written in lower case, then the token is still read', async () => {
    const res = await request(app)
      .get('/me')
      .set('Authorization', (await userBearer('roger')).replace('Bearer', 'bearer'));
    expect(res.status).toBe(200);
  });
});

describe('requireAuth', () => {
  const app = buildApp();

  it('when no token is sent, then the answer is 401 token_missing', async () => {
    const res = await request(app).get('/me');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('token_missing');
  });

  it('when a valid token is sent, then the route sees the caller', async () => {
    const res = await request(app)
      .get('/me')
      .set('Authorization', await userBearer('Roger', ['user', 'admin']));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ pseudo: 'Roger', roles: ['user', 'admin'] });
  });

  it('when a service token is sent as a user token, then the answer is 401', async () => {
    const gateway = serviceKeysFrom({ service: 'gateway-service', secret: 'service-secret-of-the-middleware-tests!!' });
    const res = await request(buildApp())
      .get('/me')
      .set('Authorization', `Bearer ${await signServiceToken(gateway, 'user-service')}`);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('invalid_token');
  });
});

describe('requireRole', () => {
  const app = buildApp();

  it('when no token is sent, then the answer is 401', async () => {
    expect((await request(app).get('/admin')).status).toBe(401);
  });

  it('when the caller lacks the role, then the answer is 403 role_required', async () => {
    const res = await request(app)
      .get('/admin')
      .set('Authorization', await userBearer('roger', ['user']));
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: 'the admin role is required', code: 'role_required' });
  });

  it('when the caller has the role, then the route runs', async () => {
    const res = await request(app)
      .get('/admin')
      .set('Authorization', await userBearer('root', ['user', 'admin']));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ result: 'hello admin root' });
  });

  it('when hasRole is asked, then it answers from the roles list only', () => {
    expect(hasRole({ pseudo: 'a', roles: ['admin'] }, 'admin')).toBe(true);
    expect(hasRole({ pseudo: 'admin', roles: ['user'] }, 'admin')).toBe(false);
    expect(hasRole(undefined, 'admin')).toBe(false);
  });
});

describe('bearerToken', () => {
  it('when the header is absent or empty, then there is no token', () => {
    expect(bearerToken(undefined)).toBeUndefined();
    expect(bearerToken('')).toBeUndefined();
  });

  it('when the header is well formed, then the token is returned without the scheme', () => {
    expect(bearerToken('Bearer aaa.bbb.ccc')).toBe('aaa.bbb.ccc');
  });

  it('when the header is not a bearer JWT, then a 401 is thrown', () => {
    expect(() => bearerToken('Bearer abc')).toThrow(UnauthorizedError);
  });
});
