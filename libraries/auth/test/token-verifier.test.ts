import { createHmac } from 'node:crypto';
import express from 'express';
import request from 'supertest';
import jwt from 'jsonwebtoken';
import { authenticate, TokenVerifier, tokenVerifierFor } from '@canaduck/auth';
import { errorMiddleware, UnauthorizedError } from '@canaduck/errors';
import { settings } from './support/settings';

// Signed synchronously by jsonwebtoken (an independent implementation); verified by jose.
const sign = (pseudo: string, roles: string[], ttl: number) =>
  jwt.sign({ pseudo, roles }, settings.secret, {
    algorithm: 'HS256',
    expiresIn: ttl,
    issuer: settings.issuer,
    audience: settings.audience,
  });
const bearer = (pseudo: string, roles: string[] = ['user'], ttl = 600) => `Bearer ${sign(pseudo, roles, ttl)}`;

describe('TokenVerifier', () => {
  it('when the same header comes twice, then the second answer is the remembered caller, frozen', async () => {
    const v = new TokenVerifier(settings);
    const header = bearer('roger', ['user', 'admin']);
    const first = await v.verify(header);
    expect(first).toEqual({ pseudo: 'roger', roles: ['user', 'admin'] });
    expect(await v.verify(header)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first!.roles)).toBe(true);
  });

  it('when no header or an empty one is sent, then there is no caller', async () => {
    const v = new TokenVerifier(settings);
    expect(await v.verify(undefined)).toBeUndefined();
    expect(await v.verify('')).toBeUndefined();
  });

  it('when a bad token comes again, then it is refused again: failures are never remembered', async () => {
    const v = new TokenVerifier(settings);
    const good = sign('roger', ['user'], 600);
    const [head, body] = good.split('.');
    const forged = `Bearer ${head}.${body}.${createHmac('sha256', 'x'.repeat(40)).update(`${head}.${body}`).digest('base64url')}`;
    for (let i = 0; i < 2; i++) await expect(v.verify(forged)).rejects.toThrow(UnauthorizedError);
    await expect(v.verify('Bearer nope')).rejects.toThrow(UnauthorizedError);
  });

  it('when a remembered token has expired, then it is verified afresh and refused', async () => {
    const v = new TokenVerifier(settings);
    const now = Date.now();
    const spy = jest.spyOn(Date, 'now').mockReturnValue(now);
    try {
      const header = bearer('roger', ['user'], 60);
      expect((await v.verify(header))?.pseudo).toBe('roger');
      // Past exp and past the 5 s clock tolerance of verifyUserToken.
      spy.mockReturnValue(now + 70_000);
      await expect(v.verify(header)).rejects.toThrow('token expired');
    } finally {
      spy.mockRestore();
    }
  });

  it('when more tokens than the cache holds come, then the oldest are forgotten and still verify', async () => {
    const v = new TokenVerifier(settings, 2);
    const headers = ['a', 'b', 'c'].map((p) => bearer(p));
    const users = await Promise.all(headers.map((h) => v.verify(h)));
    expect(await v.verify(headers[2])).toBe(users[2]);
    const again = await v.verify(headers[0]);
    expect(again).toEqual(users[0]);
    expect(again).not.toBe(users[0]);
  });

  it('when the cache is full, then the least recently used token goes, not one just used', async () => {
    const v = new TokenVerifier(settings, 2);
    const [a, b, c] = ['lru-a', 'lru-b', 'lru-c'].map((p) => bearer(p));
    const first = await v.verify(a);
    const second = await v.verify(b);
    expect(await v.verify(a)).toBe(first);
    await v.verify(c);
    expect(await v.verify(a)).toBe(first);
    expect(await v.verify(b)).not.toBe(second);
  });

  it('when the cache size is 0, then nothing is remembered', async () => {
    const v = new TokenVerifier(settings, 0);
    const header = bearer('roger');
    expect(await v.verify(header)).not.toBe(await v.verify(header));
  });

  it('when asked for the same settings object twice, then one verifier is shared; other settings get their own', async () => {
    expect(tokenVerifierFor(settings)).toBe(tokenVerifierFor(settings));
    expect(tokenVerifierFor({ ...settings })).not.toBe(tokenVerifierFor(settings));
  });
});

describe('authenticate with its token cache', () => {
  const app = express();
  app.use(authenticate(settings));
  app.get('/me', (req, res) => void res.json({ caller: req.auth ?? null }));
  app.use(errorMiddleware());

  it('when the same token is sent many times, then every request sees the caller', async () => {
    const header = bearer('ginette', ['user']);
    for (let i = 0; i < 3; i++) {
      const res = await request(app).get('/me').set('Authorization', header);
      expect(res.body).toEqual({ caller: { pseudo: 'ginette', roles: ['user'] } });
    }
  });

  it('when a valid token was seen and then a tampered copy is sent, then the copy is refused', async () => {
    const header = bearer('roger', ['user']);
    expect((await request(app).get('/me').set('Authorization', header)).status).toBe(200);
    const [head, body, sig] = header.split('.');
    const tampered = `${head}.${body}.${sig.startsWith('A') ? 'B' : 'A'}${sig.slice(1)}`;
    const res = await request(app).get('/me').set('Authorization', tampered);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('invalid_token');
  });
});
