import { TokenRevocation, type TokenStateLookup } from '@canaduck/auth';
import { createEventTransport } from './create-transport';
import { RevocationMap } from './revocation-map';
import type { EventLogger, EventTransport, ServiceTokenSource } from './types';

/** Without contact with the user stream for this long, admin tokens are re-checked with user-service. */
export const REVOCATION_STALE_AFTER_MS = 3000;
/** How long one user-service answer is reused for an admin token while the map is stale. */
export const REVOCATION_RECHECK_CACHE_MS = 2000;

/** A service's ClientsOptions fits as it is. */
export interface UserStreamTransportOptions {
  /**
   * The settings of commonShape it reads: NATS_URL (when set, the user stream comes from JetStream;
   * otherwise from user-service's feed at USER_SERVICE_URL) and NATS_NAMESPACE.
   */
  config: { NATS_URL?: string; NATS_NAMESPACE?: string; USER_SERVICE_URL: string };
  /** Overrides config.NATS_NAMESPACE (tests use their own). */
  natsNamespace?: string;
  /** Mints the service token of each feed call (addressed to user-service). */
  serviceTokens: ServiceTokenSource;
  logger: EventLogger;
}

/**
 * The transport a service's revocation map reads the user stream through. The HTTP long poll
 * answers at least every second, so "no answer for REVOCATION_STALE_AFTER_MS" means the stream is
 * unreachable, not merely quiet.
 */
export function userStreamTransport(o: UserStreamTransportOptions): EventTransport {
  return createEventTransport({
    natsUrl: o.config.NATS_URL,
    natsNamespace: o.natsNamespace ?? o.config.NATS_NAMESPACE,
    urls: { user: o.config.USER_SERVICE_URL },
    serviceTokens: o.serviceTokens,
    logger: o.logger,
    waitSeconds: 1,
  });
}

export interface CreateTokenRevocationOptions {
  /** The user stream (userStreamTransport). */
  transport: EventTransport;
  /** user-service's GET /internal/users/<pseudo>/token-state (or user-service's own database). */
  lookup: TokenStateLookup;
  logger: EventLogger;
  staleAfterMs?: number;
  recheckCacheMs?: number;
}

/**
 * The revocation source of a service's token settings: a RevocationMap fed by the user stream
 * (replayed from its start at every start, so it survives restarts), plus user-service's word for
 * admin tokens while the map is stale. Start it in main.ts, stop it on shutdown.
 */
export function createTokenRevocation(o: CreateTokenRevocationOptions): TokenRevocation {
  const feed = new RevocationMap({ transport: o.transport, logger: o.logger, staleAfterMs: o.staleAfterMs ?? REVOCATION_STALE_AFTER_MS });
  return new TokenRevocation({
    feed,
    lookup: o.lookup,
    recheckCacheMs: o.recheckCacheMs ?? REVOCATION_RECHECK_CACHE_MS,
    onUnconfirmed: (pseudo, err) =>
      o.logger.warn(
        { pseudo, err: (err as Error).message },
        'user stream and user-service both unreachable: admin role dropped for this request',
      ),
  });
}
