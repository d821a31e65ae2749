import type { Logger } from '@canaduck/logging';
import { ServiceClient } from '@canaduck/http-client';
import type { Config } from '../config';
import { ChannelClient } from './channel-client';
import { MessageClient } from './message-client';

export interface Clients {
  /** message-service's event feed. */
  messages: MessageClient;
  /** channel-service's channel visibility. */
  channels: ChannelClient;
  close(): void;
}

export interface ClientsOptions {
  config: Pick<Config, 'MESSAGE_SERVICE_URL' | 'CHANNEL_SERVICE_URL' | 'HTTP_TIMEOUT_MS'>;
  /** Mints the service token sent on every internal call. */
  serviceTokens: { get(): string };
  logger: Logger;
  /** Circuit breaker tuning (tests switch the other services off and on at will). */
  breaker?: { errorThreshold: number; resetMs: number };
}

/** The only place the stats-service's outbound clients are built. */
export function createClients(o: ClientsOptions): Clients {
  const common = {
    timeoutMs: o.config.HTTP_TIMEOUT_MS,
    serviceAuth: () => `Bearer ${o.serviceTokens.get()}`,
    breakerErrorThreshold: o.breaker?.errorThreshold,
    breakerResetMs: o.breaker?.resetMs,
  };
  const messageHttp = new ServiceClient({ name: 'message-service', baseUrl: o.config.MESSAGE_SERVICE_URL, ...common });
  const channelHttp = new ServiceClient({ name: 'channel-service', baseUrl: o.config.CHANNEL_SERVICE_URL, ...common });
  return {
    messages: new MessageClient(messageHttp),
    channels: new ChannelClient(channelHttp),
    close: () => {
      messageHttp.close();
      channelHttp.close();
    },
  };
}
