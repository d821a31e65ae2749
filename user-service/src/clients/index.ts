import type { ServiceTokenMinter } from '@canaduck/auth';
import { userStreamTransport, type EventTransport } from '@canaduck/events';
import type { Logger } from '@canaduck/logging';
import type { UserServiceConfig } from '../config';
import { ChannelClient } from './channel-client';

/** The services user-service calls. */
export interface Clients {
  channels: ChannelClient;
  /** The user stream (this service's own feed, or NATS), read back by the token revocation map. */
  userEvents: EventTransport;
  /** Stops the clients' timers and sockets. */
  close(): Promise<void>;
}

export interface ClientsOptions {
  config: Pick<UserServiceConfig, 'CHANNEL_SERVICE_URL' | 'WHOIS_CHANNELS_TIMEOUT_MS' | 'PORT' | 'NATS_URL'> & { NATS_NAMESPACE?: string };
  /** NATS stream prefix (tests use their own). */
  natsNamespace?: string;
  /** Mints this service's tokens for its internal calls. */
  serviceTokens: ServiceTokenMinter;
  logger: Logger;
}

/** The only place user-service's outbound clients are built (main.ts, and the tests with nock'd URLs). */
export function createClients(o: ClientsOptions): Clients {
  const channels = new ChannelClient({
    baseUrl: o.config.CHANNEL_SERVICE_URL,
    timeoutMs: o.config.WHOIS_CHANNELS_TIMEOUT_MS,
    serviceAuth: o.serviceTokens.bearerFor('channel-service'),
    logger: o.logger,
  });
  const userEvents = userStreamTransport({
    natsUrl: o.config.NATS_URL,
    natsNamespace: o.natsNamespace ?? o.config.NATS_NAMESPACE,
    // Its own feed, on this process: any replica serves the same stream.
    userServiceUrl: `http://127.0.0.1:${o.config.PORT}`,
    serviceAuth: (callee) => o.serviceTokens.get(callee),
    logger: o.logger,
  });
  return {
    channels,
    userEvents,
    close: async () => {
      channels.close();
      await userEvents.close();
    },
  };
}
