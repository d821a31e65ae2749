import type { ServiceTokenMinter } from '@canaduck/auth';
import type { Logger } from '@canaduck/logging';
import type { UserServiceConfig } from '../config';
import { ChannelClient } from './channel-client';

/** The services user-service calls. */
export interface Clients {
  channels: ChannelClient;
  /** Stops the clients' timers and sockets. */
  close(): void;
}

export interface ClientsOptions {
  config: Pick<UserServiceConfig, 'CHANNEL_SERVICE_URL' | 'WHOIS_CHANNELS_TIMEOUT_MS'>;
  /** Mints this service's tokens for its internal calls. */
  serviceTokens: ServiceTokenMinter;
  logger: Logger;
}

/** The only place user-service's outbound clients are built (main.ts, and the tests with nock'd URLs). */
export function createClients(o: ClientsOptions): Clients {
  const channels = new ChannelClient({
    baseUrl: o.config.CHANNEL_SERVICE_URL,
    timeoutMs: o.config.WHOIS_CHANNELS_TIMEOUT_MS,
    serviceAuth: () => `Bearer ${o.serviceTokens.get()}`,
    logger: o.logger,
  });
  return {
    channels,
    close: () => channels.close(),
  };
}
