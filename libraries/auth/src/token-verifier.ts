import { LRUCache } from 'lru-cache';
import { type AuthUser, type TokenSettings, verifyUserToken } from './tokens';
import { bearerToken } from './bearer';

interface Cached {
  user: AuthUser;
  /** The token's `iat` (whole seconds; 0 when absent): revocation compares it. */
  issuedAt: number;
  /** The token's `exp`, in ms: a cached token never outlives it. */
  expiresAt: number;
}

/** A verified token: who, and when it was issued (for revocation). */
export interface VerifiedToken {
  user: AuthUser;
  issuedAt: number;
}

function claimsOf(token: string): { exp?: unknown; iat?: unknown } | undefined {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown; iat?: unknown };
  } catch {
    return undefined;
  }
}

/** Verified tokens remembered per verifier unless told otherwise. */
export const DEFAULT_TOKEN_CACHE_SIZE = 10000;

/**
 * Verifies `Authorization` headers and remembers the good ones until they expire. A client
 * sends the same token on every request; one signature check per token instead of one per
 * request keeps every service's authentication cheap. Only successes are cached, keyed by
 * the whole header, so a tampered or different token is always verified afresh. The cache
 * is an LRU bounded to `maxEntries`: when full, the least recently used token goes.
 */
export class TokenVerifier {
  private readonly cache: LRUCache<string, Cached> | undefined;

  constructor(
    private readonly settings: TokenSettings,
    maxEntries = DEFAULT_TOKEN_CACHE_SIZE,
  ) {
    this.cache = maxEntries > 0 ? new LRUCache<string, Cached>({ max: maxEntries }) : undefined;
  }

  /** The caller, or undefined without a token; throws a 401 for a bad one. */
  verify(header: string | undefined): AuthUser | undefined {
    return this.verifyToken(header)?.user;
  }

  /** Like verify, with the token's `iat` (revocation checks need it). */
  verifyToken(header: string | undefined): VerifiedToken | undefined {
    if (header === undefined || header === '') return undefined;
    // Expiry is checked against Date.now() here rather than with lru-cache's ttl: the token's own
    // `exp` is a wall-clock time, and lru-cache's ttl counts on performance.now().
    const hit = this.cache?.get(header);
    if (hit !== undefined) {
      if (Date.now() < hit.expiresAt) return hit;
      this.cache?.delete(header);
    }
    const token = bearerToken(header);
    if (token === undefined) return undefined;
    const user = verifyUserToken(token, this.settings);
    const claims = claimsOf(token);
    const issuedAt = typeof claims?.iat === 'number' ? claims.iat : 0;
    if (!this.cache || typeof claims?.exp !== 'number') return { user, issuedAt };
    // Every request with this token gets this same object: frozen, so no caller can change it for the next.
    const shared = Object.freeze({ pseudo: user.pseudo, roles: Object.freeze([...user.roles]) as string[] });
    const entry = { user: shared, issuedAt, expiresAt: claims.exp * 1000 };
    this.cache.set(header, entry);
    return entry;
  }
}

const shared = new WeakMap<TokenSettings, TokenVerifier>();

/** One verifier (one cache) per settings object, shared by every middleware built from it. */
export function tokenVerifierFor(settings: TokenSettings): TokenVerifier {
  let verifier = shared.get(settings);
  if (!verifier) {
    verifier = new TokenVerifier(settings);
    shared.set(settings, verifier);
  }
  return verifier;
}
