import { LRUCache } from 'lru-cache';
import { type AuthUser, type TokenSettings, verifyUserTokenClaims } from './tokens';
import { bearerToken } from './bearer';

/** A verified token: who, and when it was issued (for revocation). */
export interface VerifiedToken {
  user: AuthUser;
  /** The token's `iat` (whole seconds; 0 when absent): revocation compares it. */
  issuedAt: number;
  /** The token's `exp`, in ms: a cached token never outlives it. */
  expiresAt: number;
}

type Cached = VerifiedToken;

/** Verified tokens remembered per verifier unless told otherwise. */
export const DEFAULT_TOKEN_CACHE_SIZE = 10000;

/**
 * Verifies `Authorization` headers and remembers the good ones until they expire. A client
 * sends the same token on every request; one signature check per token instead of one per
 * request keeps every service's authentication cheap. Only successes are cached, keyed by
 * the whole header, so a tampered or different token is always verified afresh. The cache
 * is an LRU bounded to `maxEntries`: when full, the least recently used token goes.
 * Verification (jose) is asynchronous; a cache hit is answered synchronously by `cached`.
 */
export class TokenVerifier {
  private readonly cache: LRUCache<string, Cached> | undefined;
  /** Checks under way: a burst of requests with a new token shares one signature check. */
  private readonly pending = new Map<string, Promise<VerifiedToken>>();

  constructor(
    private readonly settings: TokenSettings,
    maxEntries = DEFAULT_TOKEN_CACHE_SIZE,
  ) {
    this.cache = maxEntries > 0 ? new LRUCache<string, Cached>({ max: maxEntries }) : undefined;
  }

  /** The cached verification of this header, or undefined when it must be verified. */
  cached(header: string | undefined): VerifiedToken | undefined {
    if (header === undefined || header === '' || !this.cache) return undefined;
    // Expiry is checked against Date.now() here rather than with lru-cache's ttl: the token's own
    // `exp` is a wall-clock time, and lru-cache's ttl counts on performance.now().
    const hit = this.cache.get(header);
    if (hit === undefined) return undefined;
    if (Date.now() < hit.expiresAt) return hit;
    this.cache.delete(header);
    return undefined;
  }

  /** The caller, or undefined without a token; rejects with a 401 for a bad one. */
  async verify(header: string | undefined): Promise<AuthUser | undefined> {
    return (await this.verifyToken(header))?.user;
  }

  /** Like verify, with the token's `iat` (revocation checks need it) and `exp`. */
  async verifyToken(header: string | undefined): Promise<VerifiedToken | undefined> {
    if (header === undefined || header === '') return undefined;
    const hit = this.cached(header);
    if (hit) return hit;
    const token = bearerToken(header);
    if (token === undefined) return undefined;
    let check = this.pending.get(header);
    if (!check) {
      check = this.check(header, token).finally(() => this.pending.delete(header));
      this.pending.set(header, check);
    }
    return check;
  }

  private async check(header: string, token: string): Promise<VerifiedToken> {
    const { user, issuedAt, expiresAt } = await verifyUserTokenClaims(token, this.settings);
    if (!this.cache) return { user, issuedAt, expiresAt: expiresAt * 1000 };
    // Every request with this token gets this same object: frozen, so no caller can change it for the next.
    const shared = Object.freeze({ pseudo: user.pseudo, roles: Object.freeze([...user.roles]) as string[] });
    const entry = { user: shared, issuedAt, expiresAt: expiresAt * 1000 };
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
