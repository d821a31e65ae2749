import type { ServiceTokenMinter } from '@canaduck/auth';
import type { Logger } from '@canaduck/logging';
import { createEventTransport, type EventTransport, userStreamTransport } from '@canaduck/events';
import { closeAll, ServiceClient } from '@canaduck/http-client';
import type { Config } from '../config';
import { ChannelClient } from './channel-client';
import { UserClient } from './user-client';

export interface Clients {
  /** message-service's event stream (its GET /internal/events, or NATS JetStream when NATS_URL is set). */
  messageEvents: EventTransport;
  /** channel-service's channel visibility. */
  channels: ChannelClient;
  /** user-service's token state (admin tokens while the user stream is down). */
  users: UserClient;
  /** The user stream (user-service's feed, or NATS when NATS_URL is set): the token revocation map reads it. */
  userEvents: EventTransport;
  close(): Promise<void>;
}

export interface ClientsOptions {
  config: Pick<
    Config,
    'MESSAGE_SERVICE_URL' | 'CHANNEL_SERVICE_URL' | 'HTTP_TIMEOUT_MS' | 'USER_SERVICE_URL' | 'NATS_URL' | 'STATS_FEED_WAIT_S'
  > & { NATS_NAMESPACE?: string };
  /** Mints the service token sent on every internal call. */
  serviceTokens: ServiceTokenMinter;
  logger: Logger;
  /** Circuit breaker tuning (tests switch the other services off and on at will). */
  breaker?: { errorThreshold: number; resetMs: number };
  /** NATS stream and subject prefix (default `canaduck`); tests use their own. */
  natsNamespace?: string;
}

/** The only place the stats-service's outbound clients are built. */
export function createClients(o: ClientsOptions): Clients {
  const common = {
    timeoutMs: o.config.HTTP_TIMEOUT_MS,
    breakerErrorThreshold: o.breaker?.errorThreshold,
    breakerResetMs: o.breaker?.resetMs,
  };
  const channelHttp = new ServiceClient({
    name: 'channel-service',
    baseUrl: o.config.CHANNEL_SERVICE_URL,
    serviceTokens: o.serviceTokens,
    ...common,
  });
  const userHttp = new ServiceClient({
    name: 'user-service',
    baseUrl: o.config.USER_SERVICE_URL,
    serviceTokens: o.serviceTokens,
    ...common,
  });
  const userEvents = userStreamTransport(o);
  const messageEvents = createEventTransport({
    natsUrl: o.config.NATS_URL,
    natsNamespace: o.natsNamespace ?? o.config.NATS_NAMESPACE,
    urls: { message: o.config.MESSAGE_SERVICE_URL },
    serviceTokens: o.serviceTokens,
    logger: o.logger,
    waitSeconds: o.config.STATS_FEED_WAIT_S,
  });
  return {
    messageEvents,
    channels: new ChannelClient(channelHttp),
    users: new UserClient(userHttp),
    userEvents,
    // The follower and the revocation map stop their subscriptions first (runService's workers); this drains the NATS links.
    close: () => closeAll(channelHttp, userHttp, messageEvents, userEvents),
  };
}
