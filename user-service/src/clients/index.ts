import type { ServiceTokenMinter } from '@canaduck/auth';
import { userStreamTransport, type EventTransport } from '@canaduck/events';
import { closeAll, ServiceClient } from '@canaduck/http-client';
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
export function createClients({ config, natsNamespace, serviceTokens, logger }: ClientsOptions): Clients {
  // Its one call to channel-service, a WHOIS's channel list, has a timeout of its own.
  const timeoutMs = config.WHOIS_CHANNELS_TIMEOUT_MS;
  const channels = new ChannelClient(
    new ServiceClient({ name: 'channel-service', baseUrl: config.CHANNEL_SERVICE_URL, timeoutMs, serviceTokens, logger }),
  );
  // Its own feed, on this process: any replica serves the same stream.
  const userEvents = userStreamTransport({
    config: { ...config, USER_SERVICE_URL: `http://127.0.0.1:${config.PORT}` },
    natsNamespace,
    serviceTokens,
    logger,
  });
  return { channels, userEvents, close: () => closeAll(channels, userEvents) };
}
