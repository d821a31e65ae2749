import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import jwt, { type Algorithm, type JwtPayload } from 'jsonwebtoken';
import { LRUCache } from 'lru-cache';
import { UnauthorizedError } from '@canaduck/errors';
import { signEdDsa, verifyEdDsa } from './eddsa';
import type { RevocationSource } from './revocation';

/** What a verified user token tells every service. */
export interface AuthUser {
  pseudo: string;
  roles: string[];
}

export interface TokenSettings {
  /** HS256 shared secret (32+ characters). */
  secret: string;
  issuer: string;
  audience: string;
  algorithm?: 'HS256' | 'RS256' | 'EdDSA';
  /** PEM private key: only user-service has it in asymmetric mode. */
  privateKey?: string;
  /** PEM public key: what the other services verify with in asymmetric mode. */
  publicKey?: string;
  /**
   * Revoked tokens (logout, password change, role change, deletion): `authenticate` answers 401
   * token_revoked for them. Set with withRevocation(tokens, source) in a service's createApp.
   */
  revocation?: RevocationSource;
}

const SERVICE_AUDIENCE = 'canaduck-internal';

function signingKey(s: TokenSettings): jwt.Secret {
  if ((s.algorithm ?? 'HS256') === 'HS256') return s.secret;
  if (!s.privateKey) throw new Error(`JWT_PRIVATE_KEY is required to sign with ${s.algorithm}`);
  return s.privateKey;
}

/*
 * Given a string, jsonwebtoken tries crypto.createPublicKey() on it for every call, lets it
 * throw, and only then builds a secret key: a large share of a service's CPU under load
 * (bench/findings.md has the profile). A KeyObject built once per secret skips all of that.
 */
const keyCache = new LRUCache<string, KeyObject>({ max: 32 });

function cachedKey(kind: 'secret' | 'public', material: string): KeyObject {
  const cacheKey = `${kind}:${material}`;
  let key = keyCache.get(cacheKey);
  if (!key) {
    key = kind === 'secret' ? createSecretKey(Buffer.from(material, 'utf8')) : createPublicKey(material);
    keyCache.set(cacheKey, key);
  }
  return key;
}

function verifyKey(s: TokenSettings): jwt.Secret {
  if ((s.algorithm ?? 'HS256') === 'HS256') return cachedKey('secret', s.secret);
  if (!s.publicKey) throw new Error(`JWT_PUBLIC_KEY is required to verify ${s.algorithm}`);
  return s.algorithm === 'EdDSA' ? s.publicKey : cachedKey('public', s.publicKey);
}

/** Signs a user token: `{ pseudo, roles, iat, exp, iss, aud }`. Only user-service calls this. */
export function signUserToken(user: AuthUser, s: TokenSettings, expiresInSeconds: number): string {
  if (s.algorithm === 'EdDSA') {
    const options = { expiresInSeconds, issuer: s.issuer, audience: s.audience, subject: user.pseudo };
    return signEdDsa({ pseudo: user.pseudo, roles: user.roles }, signingKey(s) as string, options);
  }
  return jwt.sign({ pseudo: user.pseudo, roles: user.roles }, signingKey(s), {
    algorithm: (s.algorithm ?? 'HS256') as Algorithm,
    expiresIn: expiresInSeconds,
    issuer: s.issuer,
    audience: s.audience,
    subject: user.pseudo,
  });
}

function explain(err: unknown): UnauthorizedError {
  const name = (err as { name?: string }).name;
  const message = (err as { message?: string }).message ?? '';
  if (name === 'TokenExpiredError') return new UnauthorizedError('token expired', 'token_expired');
  if (message.includes('signature')) return new UnauthorizedError('invalid token signature', 'invalid_token');
  if (message.includes('audience')) return new UnauthorizedError('token audience invalid', 'invalid_token');
  if (message.includes('issuer')) return new UnauthorizedError('token issuer invalid', 'invalid_token');
  if (message.includes('algorithm')) return new UnauthorizedError('token algorithm not allowed', 'invalid_token');
  return new UnauthorizedError('invalid token', 'invalid_token');
}

/**
 * Verifies a user token. The algorithm list is pinned (no `none`, no HS/RS
 * confusion), `exp` is required, and `iss`/`aud` must match.
 */
export function verifyUserToken(token: string, s: TokenSettings): AuthUser {
  // Outside the try: a missing key is a configuration bug, not a bad token, and must not hide as a 401.
  const key = verifyKey(s);
  let payload: JwtPayload | string;
  try {
    payload =
      s.algorithm === 'EdDSA'
        ? verifyEdDsa(token, key as string, { issuer: s.issuer, audience: s.audience, clockTolerance: 5 })
        : jwt.verify(token, key, {
            algorithms: [(s.algorithm ?? 'HS256') as Algorithm],
            issuer: s.issuer,
            audience: s.audience,
            clockTolerance: 5,
          });
  } catch (err) {
    throw explain(err);
  }
  if (typeof payload === 'string' || typeof payload.exp !== 'number') {
    throw new UnauthorizedError('token has no expiry', 'invalid_token');
  }
  const { pseudo, roles } = payload as { pseudo?: unknown; roles?: unknown };
  if (typeof pseudo !== 'string' || !Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) {
    throw new UnauthorizedError('token payload invalid', 'invalid_token');
  }
  return { pseudo, roles: roles as string[] };
}

/** Service tokens are HS256 with their own audience, so a user token never passes as one. */
export function signServiceToken(service: string, secret: string, expiresInSeconds = 60): string {
  return jwt.sign({ service }, secret, {
    algorithm: 'HS256',
    expiresIn: expiresInSeconds,
    issuer: service,
    audience: SERVICE_AUDIENCE,
    subject: `service:${service}`,
  });
}

export function verifyServiceToken(token: string, secret: string): string {
  let payload: JwtPayload | string;
  try {
    payload = jwt.verify(token, cachedKey('secret', secret), { algorithms: ['HS256'], audience: SERVICE_AUDIENCE, clockTolerance: 5 });
  } catch (err) {
    throw explain(err);
  }
  if (typeof payload === 'string' || typeof payload.exp !== 'number' || typeof payload.service !== 'string') {
    throw new UnauthorizedError('invalid service token', 'invalid_token');
  }
  return payload.service;
}

/** Mints service tokens and reuses one until shortly before it expires: signing on every call is wasted CPU. */
export class ServiceTokenMinter {
  private token = '';
  private renewAt = 0;
  constructor(
    private readonly service: string,
    private readonly secret: string,
    private readonly ttlSeconds = 60,
  ) {}

  get(): string {
    const now = Date.now();
    if (now >= this.renewAt) {
      this.token = signServiceToken(this.service, this.secret, this.ttlSeconds);
      this.renewAt = now + (this.ttlSeconds - 15) * 1000;
    }
    return this.token;
  }
}
