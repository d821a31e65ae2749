import type { RequestHandler } from 'express';
import { bearerToken } from '@canaduck/auth';
import { UnauthorizedError } from '@canaduck/errors';
import { REVOKING_EVENT_TYPES, type RevokingEventData } from './event-types';
import type { EventLogger, EventSubscription, EventTransport, StreamEvent } from './types';

export interface RevocationMapOptions {
  transport: EventTransport;
  logger: EventLogger;
  /** Without contact with the user stream for longer than this, isStale() is true (default 5000 ms). */
  staleAfterMs?: number;
  now?: () => number;
}

/**
 * pseudo -> "tokens issued before T are dead", fed by user.deleted, user.roles_changed,
 * user.password_changed and user.logged_out. Rebuilt on every start by replaying the user stream
 * from its start (everything within retention; older revocations outlived any token).
 *
 * While the stream is unreachable the map cannot learn new revocations: isStale() turns true
 * after staleAfterMs and a service must then re-check what it cannot afford to get wrong (admin
 * rights) with user-service, so an admin's power never outlives a demotion by more than that.
 */
export class RevocationMap {
  private readonly revokedBefore = new Map<string, number>();
  private subscription: EventSubscription | undefined;
  private syncedAt: number | undefined;
  private caughtUp = false;
  private readonly syncWaiters: Array<() => void> = [];
  private readonly now: () => number;

  constructor(private readonly o: RevocationMapOptions) {
    this.now = o.now ?? Date.now;
  }

  start(): void {
    if (this.subscription) return;
    this.subscription = this.o.transport.subscribe({
      service: 'user',
      after: 0,
      handler: async (events) => this.apply(events),
      // Revocations older than retention concern tokens that have expired long since.
      onResync: () => undefined,
      onSync: ({ at, caughtUp }) => {
        this.syncedAt = at;
        if (caughtUp && !this.caughtUp) {
          this.caughtUp = true;
          for (const w of this.syncWaiters.splice(0)) w();
        }
      },
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
    this.subscription = undefined;
  }

  /** Applies user events (public so that a service can feed it from its own subscription). */
  apply(events: StreamEvent[]): void {
    for (const e of events) {
      if (!REVOKING_EVENT_TYPES.includes(e.type as (typeof REVOKING_EVENT_TYPES)[number])) continue;
      const d = e.data as Partial<RevokingEventData>;
      const t = Date.parse(d.revoked_before ?? e.at);
      if (typeof d.pseudo !== 'string' || Number.isNaN(t)) {
        this.o.logger.warn({ seq: e.seq, type: e.type }, 'revoking event without pseudo or revoked_before: skipped');
        continue;
      }
      this.revokedBefore.set(d.pseudo, Math.max(t, this.revokedBefore.get(d.pseudo) ?? 0));
    }
  }

  /**
   * A token whose `iat` (whole seconds) is before the pseudo's revocation time is dead. A token
   * issued within the same second as the revocation counts as before it: the safe side.
   */
  isRevoked(pseudo: string, issuedAtSeconds: number): boolean {
    const t = this.revokedBefore.get(pseudo);
    return t !== undefined && issuedAtSeconds * 1000 < Math.ceil(t / 1000) * 1000;
  }

  /** Epoch ms of the last successful contact with the user stream (undefined: never). */
  get lastSyncAt(): number | undefined {
    return this.syncedAt;
  }

  /** True when the stream has not answered for more than staleAfterMs (or never did). */
  isStale(): boolean {
    return this.syncedAt === undefined || this.now() - this.syncedAt > (this.o.staleAfterMs ?? 5000);
  }

  /** Resolves once the replay at start has caught up with the stream (or after timeoutMs). */
  whenSynced(timeoutMs = 10_000): Promise<boolean> {
    if (this.caughtUp) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.syncWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  get size(): number {
    return this.revokedBefore.size;
  }
}

/** The `iat` of a JWT already verified by `authenticate` (read only, no second verification). */
export function tokenIssuedAt(token: string): number | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const iat = (JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as { iat?: unknown }).iat;
    return typeof iat === 'number' ? iat : undefined;
  } catch {
    return undefined;
  }
}

/**
 * After `authenticate(...)`: a user token of a revoked pseudo, issued before the revocation,
 * gets 401 token_revoked.
 */
export function rejectRevokedTokens(map: RevocationMap): RequestHandler {
  return (req, _res, next) => {
    if (req.auth) {
      const token = bearerToken(req.headers.authorization);
      const iat = token ? tokenIssuedAt(token) : undefined;
      if (iat === undefined || map.isRevoked(req.auth.pseudo, iat))
        throw new UnauthorizedError('token revoked: log in again', 'token_revoked');
    }
    next();
  };
}
