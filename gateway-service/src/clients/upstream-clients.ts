import type { ServiceTokenMinter } from '@canaduck/auth';
import { ServiceClient } from '@canaduck/http-client';
import type { GatewayConfig } from '../config';
import type { UpstreamName } from '../routing/route-table';

export type UpstreamClients = Record<UpstreamName, ServiceClient>;

/** Base URL of each upstream, from the common `*_SERVICE_URL` settings. */
export function upstreamUrls(c: GatewayConfig): Record<UpstreamName, string> {
  return {
    'user-service': c.USER_SERVICE_URL,
    'message-service': c.MESSAGE_SERVICE_URL,
    'channel-service': c.CHANNEL_SERVICE_URL,
    'stats-service': c.STATS_SERVICE_URL,
  };
}

/**
 * axios clients for the calls the gateway composes itself (/fullinfo, activity, docs):
 * small JSON answers it must read, with a timeout and a circuit breaker. Internal calls
 * (activity) carry a service token; calls made for a user carry the user's header.
 */
export function createUpstreamClients(c: GatewayConfig, serviceTokens: ServiceTokenMinter): UpstreamClients {
  const urls = upstreamUrls(c);
  const make = (name: UpstreamName) =>
    new ServiceClient({ name, baseUrl: urls[name], timeoutMs: c.UPSTREAM_TIMEOUT_MS, serviceAuth: () => `Bearer ${serviceTokens.get()}` });
  return {
    'user-service': make('user-service'),
    'message-service': make('message-service'),
    'channel-service': make('channel-service'),
    'stats-service': make('stats-service'),
  };
}
