import type { ServiceTokenMinter } from '@canaduck/auth';
import { createEventTransport, type EventTransport } from '@canaduck/events';
import { ServiceClient } from '@canaduck/http-client';
import type { Logger } from '@canaduck/logging';
import type { Settings } from '../config';
import { pollingMessageTransport, routedTransport } from '../delivery/message-feed';
import { ChannelClient } from './channel-client';
import { MessageClient } from './message-client';
import { UserClient } from './user-client';

export interface Clients {
  users: UserClient;
  channels: ChannelClient;
  messages: MessageClient;
  /** The event streams (message-service's, channel-service's and user-service's). */
  events: EventTransport;
  close(): void;
}

export interface ClientsConfig {
  USER_SERVICE_URL: string;
  CHANNEL_SERVICE_URL: string;
  MESSAGE_SERVICE_URL: string;
  HTTP_TIMEOUT_MS: number;
}

/** The only place the door's outbound clients are built: direct service URLs, not the gateway. */
export function createClients(o: {
  config: ClientsConfig;
  settings: Pick<Settings, 'eventTransport' | 'natsUrl' | 'natsNamespace' | 'feedPollMs' | 'feedWaitSeconds'>;
  serviceTokens: ServiceTokenMinter;
  logger: Logger;
}): Clients {
  const timeoutMs = o.config.HTTP_TIMEOUT_MS;
  // Public calls go without a token when the user's is not given (a service token is refused
  // there); only the event feed carries the service token.
  const make = (name: string, baseUrl: string, internal = false) =>
    new ServiceClient({ name, baseUrl, timeoutMs, ...(internal ? { serviceTokens: o.serviceTokens } : {}) });
  const users = new UserClient(make('user-service', o.config.USER_SERVICE_URL), make('user-service', o.config.USER_SERVICE_URL, true));
  const channels = new ChannelClient(
    make('channel-service', o.config.CHANNEL_SERVICE_URL),
    make('channel-service', o.config.CHANNEL_SERVICE_URL, true),
  );
  const messages = new MessageClient(
    make('message-service', o.config.MESSAGE_SERVICE_URL),
    make('message-service', o.config.MESSAGE_SERVICE_URL, true),
  );
  const library = createEventTransport({
    natsUrl: o.settings.natsUrl,
    natsNamespace: o.settings.natsNamespace,
    urls: { message: o.config.MESSAGE_SERVICE_URL, channel: o.config.CHANNEL_SERVICE_URL, user: o.config.USER_SERVICE_URL },
    serviceTokens: o.serviceTokens,
    logger: o.logger,
    waitSeconds: o.settings.feedWaitSeconds,
  });
  const events =
    o.settings.eventTransport === 'poll'
      ? routedTransport(library, { message: pollingMessageTransport({ messages, logger: o.logger, pollMs: o.settings.feedPollMs }) })
      : library;
  return {
    users,
    channels,
    messages,
    events,
    close() {
      users.close();
      channels.close();
      messages.close();
    },
  };
}
