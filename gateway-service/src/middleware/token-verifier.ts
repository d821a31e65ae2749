import { type AuthUser, bearerToken, type TokenSettings, verifyUserToken } from '@canaduck/auth';

interface Cached {
  user: AuthUser;
  /** The token's `exp`, in ms: a cached token never outlives it. */
  expiresAt: number;
}

/**
 * Verifies `Authorization` headers with @canaduck/auth and remembers the good ones until
 * they expire. A client sends the same token on every request; one HMAC per token instead
 * of one per request keeps the hop cheap. Only successes are cached, keyed by the whole
 * header, so a tampered or different token is always verified afresh.
 */
export class TokenVerifier {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly settings: TokenSettings,
    private readonly maxEntries = 10000,
  ) {}

  /** The caller, or undefined without a token; throws a 401 for a bad one. */
  verify(header: string | undefined): AuthUser | undefined {
    if (header === undefined || header === '') return undefined;
    const hit = this.cache.get(header);
    if (hit !== undefined) {
      if (Date.now() < hit.expiresAt) return hit.user;
      this.cache.delete(header);
    }
    const token = bearerToken(header);
    if (token === undefined) return undefined;
    const user = verifyUserToken(token, this.settings);
    if (this.maxEntries > 0) this.remember(header, token, user);
    return user;
  }

  private remember(header: string, token: string, user: AuthUser): void {
    let exp: unknown;
    try {
      exp = (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    } catch {
      return;
    }
    if (typeof exp !== 'number') return;
    if (this.cache.size >= this.maxEntries) {
      // Oldest first: Map keeps insertion order.
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(header, { user, expiresAt: exp * 1000 });
  }
}
