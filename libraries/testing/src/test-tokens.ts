import { randomBytes, sign } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { deriveServiceKey, serviceKeysFrom, type ServiceKeys, type TokenSettings } from '@canaduck/auth';
import { INTERNAL_CALLERS, SERVICE_NAMES } from '@canaduck/contracts';

/** Real signed tokens for tests, with the same settings the app under test is given. */
export const testTokenSettings: TokenSettings = {
  secret: 'test-secret-that-is-at-least-32-characters-long',
  issuer: 'canaduck-user-service',
  audience: 'canaduck-irc',
  algorithm: 'HS256',
};

/** The secret every test service derives its key pair from (as a local run without keys does). */
export const testServiceSecret = 'test-service-secret-at-least-32-characters';

/** A service's keys as the stack under test derives them (createApp's serviceKeys). */
export function testServiceKeys(service: string): ServiceKeys {
  return serviceKeysFrom({ service, secret: testServiceSecret });
}

/*
 * Test tokens are signed synchronously (many tests build headers inline) by jsonwebtoken and
 * node:crypto: a second implementation next to jose's, so a test proves interoperability too.
 */
export function userToken(pseudo: string, roles: string[] = ['user'], ttlSeconds = 3600): string {
  return jwt.sign({ pseudo, roles }, testTokenSettings.secret, {
    algorithm: 'HS256',
    expiresIn: ttlSeconds,
    issuer: testTokenSettings.issuer,
    audience: testTokenSettings.audience,
    subject: pseudo,
  });
}

export function bearer(pseudo: string, roles: string[] = ['user']): string {
  return `Bearer ${userToken(pseudo, roles)}`;
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

/**
 * A service token of `caller` addressed to `callee`, signed with the caller's derived key (EdDSA),
 * as ServiceTokenMinter makes them. `claims` overrides or adds claims (exp in the past...).
 */
export function serviceToken(caller: string, callee: string, claims: Record<string, unknown> = {}): string {
  const iat = Math.floor(Date.now() / 1000);
  const payload = { iat, exp: iat + 60, iss: caller, aud: callee, sub: `service:${caller}`, ...claims };
  const input = `${b64url({ alg: 'EdDSA', typ: 'JWT' })}.${b64url(payload)}`;
  const signature = sign(null, Buffer.from(input), deriveServiceKey(testServiceSecret, caller)).toString('base64url');
  return `${input}.${signature}`;
}

export function serviceBearer(caller: string, callee: string): string {
  return `Bearer ${serviceToken(caller, callee)}`;
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

/** eventFeedRoutes' access options of a service's feed, as the service mounts it (its keys, INTERNAL_CALLERS). */
export function testFeedAccess(service: string): { serviceKeys: ServiceKeys; allowedCallers: readonly string[] } {
  const callers = (INTERNAL_CALLERS as Record<string, Record<string, readonly string[]>>)[service]?.['GET /internal/events'];
  if (!callers) throw new Error(`${service} has no event feed`);
  return { serviceKeys: testServiceKeys(service), allowedCallers: callers };
}

export interface InternalCall {
  /** `METHOD /path` as INTERNAL_CALLERS names it. */
  route: string;
  method: 'get' | 'post' | 'delete';
  /** The route's path with sample parameters. */
  path: string;
  caller: string;
}

/** Every (route, service) pair of a callee that INTERNAL_CALLERS does not allow: each must be a 403. */
export function disallowedInternalCalls(callee: string): InternalCall[] {
  return internalCalls(callee, false);
}

/** Every (route, service) pair of a callee that INTERNAL_CALLERS allows (`true`) or does not (`false`). */
export function internalCalls(callee: string, allowed: boolean): InternalCall[] {
  const routes = (INTERNAL_CALLERS as Record<string, Record<string, readonly string[]>>)[callee] ?? {};
  return Object.entries(routes).flatMap(([route, callers]) => {
    const [method, pattern] = route.split(' ');
    const path = pattern.replace(':pseudo', 'roger').replace(':name', 'tech');
    return SERVICE_NAMES.filter((s) => callers.includes(s) === allowed).map((caller) => ({
      route,
      method: method.toLowerCase() as InternalCall['method'],
      path,
      caller,
    }));
  });
}
