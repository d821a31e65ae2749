import { UnauthorizedError } from '@canaduck/errors';
import type { AuthUser, TokenSettings } from './tokens';

/**
 * What the user-token check consults after the signature: "is this token dead?". Fed by the user
 * event stream (user.deleted, user.roles_changed, user.password_changed, user.logged_out).
 */
export interface RevocationSource {
  /** True when the pseudo's tokens issued (iat, whole seconds) before its revocation time are dead. */
  isRevoked(pseudo: string, issuedAtSeconds: number): boolean;
  /**
   * Optional second opinion for tokens carrying the `admin` role: `admin` keeps the role,
   * `revoked` makes the request a 401 token_revoked, `unconfirmed` drops the admin role for
   * this request (the caller keeps their user rights). Synchronous when there is nothing to ask.
   */
  confirmAdmin?(pseudo: string, issuedAtSeconds: number): AdminVerdict | Promise<AdminVerdict>;
}

export type AdminVerdict = 'admin' | 'revoked' | 'unconfirmed';

/** user-service's view of an account's tokens (GET /internal/users/<pseudo>/token-state). */
export interface TokenState {
  deleted: boolean;
  roles: string[];
  /** Epoch ms: tokens issued before it are dead; null when the account never revoked any. */
  revokedBefore: number | null;
}

/** Asks user-service for an account's token state; undefined for an unknown pseudo, throws when unreachable. */
export interface TokenStateLookup {
  tokenState(pseudo: string): Promise<TokenState | undefined>;
}

/** The revocation map as TokenRevocation needs it (@canaduck/events' RevocationMap fits). */
export interface RevocationFeed {
  isRevoked(pseudo: string, issuedAtSeconds: number): boolean;
  /** True when the feed has not heard from the user stream for a while: it may miss revocations. */
  isStale(): boolean;
  start(): void;
  stop(): Promise<void>;
}

export interface TokenRevocationOptions {
  feed: RevocationFeed;
  lookup: TokenStateLookup;
  /** How long one answer of user-service is reused while the feed is stale (default 2000 ms). */
  recheckCacheMs?: number;
  /** Called when user-service cannot confirm an admin token (the role is dropped for the request). */
  onUnconfirmed?: (pseudo: string, err: unknown) => void;
  now?: () => number;
}

/** Same rule as the revocation map: a token issued within the revocation's second counts as before it. */
export function issuedBefore(issuedAtSeconds: number, revokedBeforeMs: number): boolean {
  return issuedAtSeconds * 1000 < Math.ceil(revokedBeforeMs / 1000) * 1000;
}

interface Recheck {
  at: number;
  verdict: Promise<(issuedAtSeconds: number) => AdminVerdict>;
}

/**
 * The revocation source every service plugs into its token settings: the feed answers for every
 * token; while the feed is stale (the user stream unreachable), a token carrying `admin` is also
 * checked with user-service, one answer per pseudo reused for at most recheckCacheMs. So admin
 * power outlives a demotion by at most the feed's staleness delay plus that cache, even with the
 * stream down. A feed that was never started (route tests) adds no admin check.
 */
export class TokenRevocation implements RevocationSource {
  private running = false;
  private readonly rechecks = new Map<string, Recheck>();
  private readonly now: () => number;

  constructor(private readonly o: TokenRevocationOptions) {
    this.now = o.now ?? Date.now;
  }

  start(): void {
    this.running = true;
    this.o.feed.start();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.o.feed.stop();
  }

  isRevoked(pseudo: string, issuedAtSeconds: number): boolean {
    return this.o.feed.isRevoked(pseudo, issuedAtSeconds);
  }

  /** True while the feed runs but cannot vouch for itself. */
  get degraded(): boolean {
    return this.running && this.o.feed.isStale();
  }

  confirmAdmin(pseudo: string, issuedAtSeconds: number): AdminVerdict | Promise<AdminVerdict> {
    if (!this.degraded) return 'admin';
    return this.recheck(pseudo).then((judge) => judge(issuedAtSeconds));
  }

  private recheck(pseudo: string): Promise<(issuedAtSeconds: number) => AdminVerdict> {
    const key = pseudo.toLowerCase();
    const now = this.now();
    const hit = this.rechecks.get(key);
    if (hit && now - hit.at <= (this.o.recheckCacheMs ?? 2000)) return hit.verdict;
    if (this.rechecks.size > 1000) {
      for (const [k, r] of this.rechecks) if (now - r.at > (this.o.recheckCacheMs ?? 2000)) this.rechecks.delete(k);
    }
    const verdict = this.o.lookup.tokenState(pseudo).then(
      (state) => (iat: number) => judge(state, iat),
      (err: unknown) => {
        this.o.onUnconfirmed?.(pseudo, err);
        return () => 'unconfirmed' as const;
      },
    );
    this.rechecks.set(key, { at: now, verdict });
    return verdict;
  }
}

function judge(state: TokenState | undefined, issuedAtSeconds: number): AdminVerdict {
  if (!state || state.deleted) return 'revoked';
  if (state.revokedBefore !== null && issuedBefore(issuedAtSeconds, state.revokedBefore)) return 'revoked';
  // A demotion always revokes the tokens issued before it (user.roles_changed): seen here only on a race.
  return state.roles.includes('admin') ? 'admin' : 'revoked';
}

/** The token settings with a revocation source: every `authenticate(tokens)` built from them consults it. */
export function withRevocation(tokens: TokenSettings, revocation: RevocationSource): TokenSettings {
  return { ...tokens, revocation };
}

function revokedError(): UnauthorizedError {
  return new UnauthorizedError('token revoked (logout, password or role change, or account deleted): log in again', 'token_revoked');
}

/** An admin token nobody can vouch for keeps its user rights only. */
function afterVerdict(user: AuthUser, verdict: AdminVerdict): AuthUser {
  if (verdict === 'revoked') throw revokedError();
  if (verdict === 'admin') return user;
  return { pseudo: user.pseudo, roles: user.roles.filter((r) => r !== 'admin') };
}

/**
 * The caller a verified token stands for once revocation had its say: throws 401 token_revoked
 * for a dead token; an admin token may need user-service's word (a promise then), and loses its
 * admin role when nobody can vouch for it. Synchronous in every other case (the hot path).
 */
export function admitToken(revocation: RevocationSource | undefined, user: AuthUser, issuedAt: number): AuthUser | Promise<AuthUser> {
  if (!revocation) return user;
  if (revocation.isRevoked(user.pseudo, issuedAt)) throw revokedError();
  if (!revocation.confirmAdmin || !user.roles.includes('admin')) return user;
  const verdict = revocation.confirmAdmin(user.pseudo, issuedAt);
  return typeof verdict === 'string' ? afterVerdict(user, verdict) : verdict.then((v) => afterVerdict(user, v));
}
