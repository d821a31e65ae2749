import type { ServiceTokenMinter } from '@canaduck/auth';
import { createEventTransport, type EventTransport } from '@canaduck/events';
import { closeAll, ServiceClient } from '@canaduck/http-client';
import type { Logger } from '@canaduck/logging';
import type { RealtimeConfig } from '../config';
import { ChannelClient } from './channel-client';
import { MemoryUsedTicketStore, RedisUsedTicketStore, type UsedTicketStore } from './used-ticket-store';

/** What the realtime-service reaches outside itself. */
export interface Clients {
  channels: ChannelClient;
  /** The three source streams: HTTP feeds, or NATS JetStream when NATS_URL is set. */
  events: EventTransport;
  usedTickets: UsedTicketStore;
  close(): Promise<void>;
}

export interface ClientsOptions {
  config: Pick<
    RealtimeConfig,
    | 'CHANNEL_SERVICE_URL'
    | 'USER_SERVICE_URL'
    | 'MESSAGE_SERVICE_URL'
    | 'HTTP_TIMEOUT_MS'
    | 'NATS_URL'
    | 'NATS_NAMESPACE'
    | 'REDIS_URL'
    | 'FEED_WAIT_SECONDS'
    | 'USER_EVENTS_URL'
    | 'CHANNEL_EVENTS_URL'
    | 'MESSAGE_EVENTS_URL'
  >;
  serviceTokens: ServiceTokenMinter;
  logger: Logger;
}

/** The only place realtime-service's outbound clients are built (main.ts, and the tests). */
export function createClients(o: ClientsOptions): Clients {
  const channels = new ChannelClient(
    new ServiceClient({
      name: 'channel-service',
      baseUrl: o.config.CHANNEL_SERVICE_URL,
      timeoutMs: o.config.HTTP_TIMEOUT_MS,
      serviceTokens: o.serviceTokens,
      logger: o.logger,
    }),
  );
  const events = createEventTransport({
    natsUrl: o.config.NATS_URL,
    natsNamespace: o.config.NATS_NAMESPACE,
    urls: {
      user: o.config.USER_EVENTS_URL ?? o.config.USER_SERVICE_URL,
      channel: o.config.CHANNEL_EVENTS_URL ?? o.config.CHANNEL_SERVICE_URL,
      message: o.config.MESSAGE_EVENTS_URL ?? o.config.MESSAGE_SERVICE_URL,
    },
    serviceTokens: o.serviceTokens,
    logger: o.logger,
    waitSeconds: o.config.FEED_WAIT_SECONDS,
  });
  const usedTickets = o.config.REDIS_URL ? new RedisUsedTicketStore(o.config.REDIS_URL) : new MemoryUsedTicketStore();
  return {
    channels,
    events,
    usedTickets,
    close: () => closeAll(events, channels, usedTickets),
  };
}
