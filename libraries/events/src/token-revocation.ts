import { TokenRevocation, type TokenState, type TokenStateLookup } from '@canaduck/auth';
import { userTokenStateSchema } from '@canaduck/contracts';
import { ServiceUnavailableError } from '@canaduck/errors';
import type { ServiceClient } from '@canaduck/http-client';
import { createEventTransport } from './create-transport';
import { RevocationMap } from './revocation-map';
import type { EventLogger, EventTransport, ServiceAuth } from './types';

/** Without contact with the user stream for this long, admin tokens are re-checked with user-service. */
export const REVOCATION_STALE_AFTER_MS = 3000;
/** How long one user-service answer is reused for an admin token while the map is stale. */
export const REVOCATION_RECHECK_CACHE_MS = 2000;

export interface UserStreamTransportOptions {
  /** NATS_URL: when set, the user stream comes from JetStream; otherwise from user-service's feed. */
  natsUrl?: string;
  natsNamespace?: string;
  userServiceUrl: string;
  serviceAuth: ServiceAuth;
  logger: EventLogger;
}

/**
 * The transport a service's revocation map reads the user stream through. The HTTP long poll
 * answers at least every second, so "no answer for REVOCATION_STALE_AFTER_MS" means the stream is
 * unreachable, not merely quiet.
 */
export function userStreamTransport(o: UserStreamTransportOptions): EventTransport {
  return createEventTransport({
    natsUrl: o.natsUrl,
    natsNamespace: o.natsNamespace,
    urls: { user: o.userServiceUrl },
    serviceAuth: o.serviceAuth,
    logger: o.logger,
    waitSeconds: 1,
  });
}

/**
 * user-service's `GET /internal/users/<pseudo>/token-state` over a caller's client to user-service:
 * the `tokenState` of every service's TokenStateLookup. Undefined for a pseudo never registered;
 * throws a 503 `dependency_failed` when user-service cannot answer.
 */
export async function fetchTokenState(http: Pick<ServiceClient, 'get'>, pseudo: string): Promise<TokenState | undefined> {
  const res = await http.get<unknown>(`/internal/users/${encodeURIComponent(pseudo)}/token-state`);
  if (res.status === 404) return undefined;
  const body = res.status === 200 ? userTokenStateSchema.safeParse(res.data) : undefined;
  if (!body?.success) throw new ServiceUnavailableError(`user-service unavailable (answered ${res.status})`, 'dependency_failed');
  const { deleted, roles, revoked_before } = body.data;
  return { deleted, roles, revokedBefore: revoked_before === null ? null : Date.parse(revoked_before) };
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
