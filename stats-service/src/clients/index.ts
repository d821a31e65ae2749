import type { Logger } from '@canaduck/logging';
import { createEventTransport, type EventTransport } from '@canaduck/events';
import { ServiceClient } from '@canaduck/http-client';
import type { Config } from '../config';
import { ChannelClient } from './channel-client';

export interface Clients {
  /** message-service's event stream (its GET /internal/events, or NATS JetStream when NATS_URL is set). */
  messageEvents: EventTransport;
  /** channel-service's channel visibility. */
  channels: ChannelClient;
  close(): void;
}

export interface ClientsOptions {
  config: Pick<Config, 'MESSAGE_SERVICE_URL' | 'CHANNEL_SERVICE_URL' | 'HTTP_TIMEOUT_MS' | 'NATS_URL' | 'STATS_FEED_WAIT_S'>;
  /** Mints the service token sent on every internal call. */
  serviceTokens: { get(): string };
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
    serviceAuth: () => `Bearer ${o.serviceTokens.get()}`,
    breakerErrorThreshold: o.breaker?.errorThreshold,
    breakerResetMs: o.breaker?.resetMs,
  };
  const channelHttp = new ServiceClient({ name: 'channel-service', baseUrl: o.config.CHANNEL_SERVICE_URL, ...common });
  const messageEvents = createEventTransport({
    natsUrl: o.config.NATS_URL,
    natsNamespace: o.natsNamespace,
    urls: { message: o.config.MESSAGE_SERVICE_URL },
    serviceAuth: common.serviceAuth,
    logger: o.logger,
    waitSeconds: o.config.STATS_FEED_WAIT_S,
  });
  return {
    messageEvents,
    channels: new ChannelClient(channelHttp),
    close: () => {
      channelHttp.close();
      // The follower stops its subscription first (main.ts); this drains a NATS link.
      void messageEvents.close();
    },
  };
}
