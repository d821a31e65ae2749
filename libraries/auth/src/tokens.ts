import { createPrivateKey, createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { LRUCache } from 'lru-cache';
import { UnauthorizedError } from '@canaduck/errors';
import { explainJoseError } from './jose-errors';
import type { RevocationSource } from './revocation';

/** What a verified user token tells every service. */
export interface AuthUser {
  pseudo: string;
  roles: string[];
}

export interface TokenSettings {
  /** HS256 shared secret (32+ characters); unused in asymmetric mode. */
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

/** A verified user token: who, and the times revocation and the verifier's cache need. */
export interface VerifiedUserToken {
  user: AuthUser;
  /** `iat`, whole seconds (0 when absent). */
  issuedAt: number;
  /** `exp`, whole seconds. */
  expiresAt: number;
}

/*
 * Building a KeyObject parses the PEM (or copies the secret): once per key material, not once
 * per token (bench/findings.md has the profile that showed it).
 */
const keyCache = new LRUCache<string, KeyObject>({ max: 32 });

function cachedKey(kind: 'secret' | 'public' | 'private', material: string): KeyObject {
  const cacheKey = `${kind}:${material}`;
  let key = keyCache.get(cacheKey);
  if (!key) {
    if (kind === 'secret') key = createSecretKey(Buffer.from(material, 'utf8'));
    else key = kind === 'public' ? createPublicKey(material) : createPrivateKey(material);
    keyCache.set(cacheKey, key);
  }
  return key;
}

const algorithmOf = (s: TokenSettings) => s.algorithm ?? 'HS256';

function signingKey(s: TokenSettings): KeyObject {
  if (algorithmOf(s) === 'HS256') return cachedKey('secret', s.secret);
  if (!s.privateKey) throw new Error(`JWT_PRIVATE_KEY is required to sign with ${s.algorithm}`);
  return cachedKey('private', s.privateKey);
}

function verifyKey(s: TokenSettings): KeyObject {
  if (algorithmOf(s) === 'HS256') return cachedKey('secret', s.secret);
  if (!s.publicKey) throw new Error(`JWT_PUBLIC_KEY is required to verify ${s.algorithm}`);
  return cachedKey('public', s.publicKey);
}

/** Signs a user token: `{ pseudo, roles, iat, exp, iss, aud, sub }`. Only user-service calls this. */
export async function signUserToken(user: AuthUser, s: TokenSettings, expiresInSeconds: number): Promise<string> {
  const key = signingKey(s);
  const iat = Math.floor(Date.now() / 1000);
  return new SignJWT({ pseudo: user.pseudo, roles: user.roles })
    .setProtectedHeader({ alg: algorithmOf(s), typ: 'JWT' })
    .setIssuedAt(iat)
    .setExpirationTime(iat + expiresInSeconds)
    .setIssuer(s.issuer)
    .setAudience(s.audience)
    .setSubject(user.pseudo)
    .sign(key);
}

function userOf(payload: JWTPayload): AuthUser {
  const { pseudo, roles } = payload as { pseudo?: unknown; roles?: unknown };
  if (typeof pseudo !== 'string' || !Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) {
    throw new UnauthorizedError('token payload invalid', 'invalid_token');
  }
  return { pseudo, roles: roles as string[] };
}

/**
 * Verifies a user token with its times. The algorithm list is pinned to the configured one (no
 * `none`, no HS/RS confusion), `exp` is required, `iss`/`aud` must match, 5 s of clock skew.
 */
export async function verifyUserTokenClaims(token: string, s: TokenSettings): Promise<VerifiedUserToken> {
  // Outside the try: a missing key is a configuration bug, not a bad token, and must not hide as a 401.
  const key = verifyKey(s);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, key, {
      algorithms: [algorithmOf(s)],
      issuer: s.issuer,
      audience: s.audience,
      clockTolerance: 5,
      // Date.now(), the clock the verifier's cache and the tests' fake clocks use too.
      currentDate: new Date(Date.now()),
      requiredClaims: ['exp'],
    }));
  } catch (err) {
    throw explainJoseError(err);
  }
  return { user: userOf(payload), issuedAt: typeof payload.iat === 'number' ? payload.iat : 0, expiresAt: payload.exp as number };
}

/** Verifies a user token (see verifyUserTokenClaims): the caller, or a 401. */
export async function verifyUserToken(token: string, s: TokenSettings): Promise<AuthUser> {
  return (await verifyUserTokenClaims(token, s)).user;
}
