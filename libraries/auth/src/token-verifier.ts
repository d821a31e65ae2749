import { LRUCache } from 'lru-cache';
import { type AuthUser, type TokenSettings, verifyUserToken } from './tokens';
import { bearerToken } from './bearer';

interface Cached {
  user: AuthUser;
  /** The token's `exp`, in ms: a cached token never outlives it. */
  expiresAt: number;
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
    if (header === undefined || header === '') return undefined;
    // Expiry is checked against Date.now() here rather than with lru-cache's ttl: the token's own
    // `exp` is a wall-clock time, and lru-cache's ttl counts on performance.now().
    const hit = this.cache?.get(header);
    if (hit !== undefined) {
      if (Date.now() < hit.expiresAt) return hit.user;
      this.cache?.delete(header);
    }
    const token = bearerToken(header);
    if (token === undefined) return undefined;
    const user = verifyUserToken(token, this.settings);
    return this.cache ? this.remember(this.cache, header, token, user) : user;
  }

  private remember(cache: LRUCache<string, Cached>, header: string, token: string, user: AuthUser): AuthUser {
    let exp: unknown;
    try {
      exp = (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    } catch {
      return user;
    }
    if (typeof exp !== 'number') return user;
    // Every request with this token gets this same object: frozen, so no caller can change it for the next.
    const shared = Object.freeze({ pseudo: user.pseudo, roles: Object.freeze([...user.roles]) as string[] });
    cache.set(header, { user: shared, expiresAt: exp * 1000 });
    return shared;
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
