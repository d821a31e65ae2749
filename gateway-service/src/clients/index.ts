import type { ServiceTokenMinter } from '@canaduck/auth';
import { type EventTransport, userStreamTransport } from '@canaduck/events';
import { ServiceClient } from '@canaduck/http-client';
import { Redis } from 'ioredis';
import { createLogger, type Logger } from '@canaduck/logging';
import { type GatewayConfig, settingsFrom } from '../config';
import { PROXIED, type ProxiedName, type UpstreamName } from '../routing/route-table';
import { TokenStateClient } from './token-state-client';

export { TokenStateClient } from './token-state-client';

/**
 * One ServiceClient per service, for the calls the gateway composes itself (/fullinfo, activity,
 * docs): small JSON answers it must read, with a timeout and a circuit breaker. Internal calls
 * (activity) carry a service token; calls made for a user carry the user's header. The gateway
 * calls the services' public routes and one internal route (user-service's activity), so a
 * generic client per service, not a class per route family.
 */
export interface Clients extends Record<UpstreamName, ServiceClient> {
  /** realtime-service is never composed: its client only fetches its OpenAPI document (/docs). */
  'realtime-service': ServiceClient;
  /** user-service's word on an admin token while the user stream is down. */
  tokenStates: TokenStateClient;
  /** The user stream (user-service's feed, or NATS when NATS_URL is set): the token revocation map reads it. */
  userEvents: EventTransport;
  /** The store of the /login and /register counters shared by the replicas, when REDIS_URL is set. */
  redis?: Redis;
  close(): void;
}

/** The only place the gateway's outbound clients are built (the proxy's pools are the routing's, in createGateway). */
export function createClients(o: {
  config: GatewayConfig;
  serviceTokens: ServiceTokenMinter;
  logger?: Logger;
  /** NATS stream prefix (tests use their own). */
  natsNamespace?: string;
}): Clients {
  const settings = settingsFrom(o.config);
  const urls = settings.upstreamUrls;
  // Composed calls balance over a service's replicas as the proxy does.
  const make = (name: ProxiedName) =>
    new ServiceClient({
      name,
      baseUrl: urls[name],
      timeoutMs: o.config.UPSTREAM_TIMEOUT_MS,
      serviceTokens: o.serviceTokens,
    });
  const services = Object.fromEntries(PROXIED.map((name) => [name, make(name)])) as Record<ProxiedName, ServiceClient>;
  const userEvents = userStreamTransport({
    config: { NATS_URL: settings.natsUrl, NATS_NAMESPACE: o.config.NATS_NAMESPACE, USER_SERVICE_URL: urls['user-service'].join(',') },
    natsNamespace: o.natsNamespace,
    serviceTokens: o.serviceTokens,
    logger: o.logger ?? createLogger('gateway-service', 'silent'),
  });
  // A command that gets no answer soon fails, and the limiter counts in memory meanwhile.
  const redis = settings.rateLimit.redisUrl
    ? new Redis(settings.rateLimit.redisUrl, { commandTimeout: 500, maxRetriesPerRequest: 1 })
    : undefined;
  // Its errors are the limiter's to handle (fallback to memory), not an unhandled 'error' event.
  redis?.on('error', () => undefined);
  return {
    ...services,
    redis,
    tokenStates: new TokenStateClient(services['user-service']),
    userEvents,
    close() {
      for (const name of PROXIED) services[name].close();
      // The revocation map stops its subscription first (main.ts); this drains a NATS link.
      void userEvents.close();
      redis?.disconnect();
    },
  };
}
