import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { signServiceToken, signUserToken, type TokenSettings } from '@canaduck/auth';

/** Real signed tokens for tests, with the same settings the app under test is given. */
export const testTokenSettings: TokenSettings = {
  secret: 'test-secret-that-is-at-least-32-characters-long',
  issuer: 'canaduck-user-service',
  audience: 'canaduck-irc',
  algorithm: 'HS256',
};

export const testServiceSecret = 'test-service-secret-at-least-32-characters';

export function userToken(pseudo: string, roles: string[] = ['user'], ttlSeconds = 3600): string {
  return signUserToken({ pseudo, roles }, testTokenSettings, ttlSeconds);
}

export function bearer(pseudo: string, roles: string[] = ['user']): string {
  return `Bearer ${userToken(pseudo, roles)}`;
}

export function serviceBearer(service = 'test-service'): string {
  return `Bearer ${signServiceToken(service, testServiceSecret)}`;
}

/** A token that expired a minute ago. */
export function expiredToken(pseudo: string): string {
  const now = Math.floor(Date.now() / 1000);
  return jwt.sign({ pseudo, roles: ['user'], iat: now - 3600, exp: now - 60 }, testTokenSettings.secret, {
    algorithm: 'HS256',
    issuer: testTokenSettings.issuer,
    audience: testTokenSettings.audience,
  });
}

/** A unique name per test, so tests never collide on data. */
export function uniqueName(prefix = 'u'): string {
  return `${prefix}${randomBytes(4).toString('hex')}`;
}
