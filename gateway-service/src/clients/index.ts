import type { ServiceTokenMinter } from '@canaduck/auth';
import { ServiceClient } from '@canaduck/http-client';
import type { Logger } from '@canaduck/logging';
import { type GatewayConfig, settingsFrom } from '../config';
import { UPSTREAMS, type UpstreamName } from '../routing/route-table';

/**
 * One ServiceClient per service, for the calls the gateway composes itself (/fullinfo, activity,
 * docs): small JSON answers it must read, with a timeout and a circuit breaker. Internal calls
 * (activity) carry a service token; calls made for a user carry the user's header. The gateway
 * calls the services' public routes and one internal route (user-service's activity), so a
 * generic client per service, not a class per route family.
 */
export interface Clients extends Record<UpstreamName, ServiceClient> {
  close(): void;
}

/** The only place the gateway's outbound clients are built (the proxy's pools are the routing's, in createGateway). */
export function createClients(o: { config: GatewayConfig; serviceTokens: ServiceTokenMinter; logger?: Logger }): Clients {
  const urls = settingsFrom(o.config).upstreamUrls;
  const make = (name: UpstreamName) =>
    new ServiceClient({
      name,
      baseUrl: urls[name],
      timeoutMs: o.config.UPSTREAM_TIMEOUT_MS,
      serviceAuth: () => `Bearer ${o.serviceTokens.get()}`,
    });
  const services = Object.fromEntries(UPSTREAMS.map((name) => [name, make(name)])) as Record<UpstreamName, ServiceClient>;
  return {
    ...services,
    close() {
      for (const name of UPSTREAMS) services[name].close();
    },
  };
}
