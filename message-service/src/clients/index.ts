import type { ServiceTokenMinter } from '@canaduck/auth';
import { createEventTransport, type EventTransport, userStreamTransport } from '@canaduck/events';
import { ServiceClient } from '@canaduck/http-client';
import type { Logger } from '@canaduck/logging';
import { type MessageConfig, settingsFrom } from '../config';
import { ChannelClient } from './channel-client';
import { UserClient } from './user-client';

export { ChannelClient, type ChannelAccess } from './channel-client';
export { UserClient } from './user-client';

export interface Clients {
  channels: ChannelClient;
  users: UserClient;
  /** channel-service's event stream (its GET /internal/events, or NATS JetStream when NATS_URL is set). */
  channelEvents: EventTransport;
  /** The user stream (user-service's feed, or NATS when NATS_URL is set): the token revocation map reads it. */
  userEvents: EventTransport;
  close(): void;
}

export interface ClientsOptions {
  config: MessageConfig;
  serviceTokens: ServiceTokenMinter;
  logger: Logger;
  /** NATS stream and subject prefix (default `canaduck`); tests use their own. */
  natsNamespace?: string;
}

/** The only place the message-service's clients of other services are built; service tokens on every call. */
export function createClients(o: ClientsOptions): Clients {
  const s = settingsFrom(o.config);
  // Each client's tokens are addressed to its service (aud); the feeds ask per source service.
  const client = (name: string, baseUrl: string) =>
    new ServiceClient({ name, baseUrl, timeoutMs: s.httpTimeoutMs, serviceTokens: o.serviceTokens });
  const channels = new ChannelClient(client('channel-service', s.channelServiceUrl), s.accessCacheMs);
  const users = new UserClient(client('user-service', s.userServiceUrl));
  const channelEvents = createEventTransport({
    natsUrl: s.natsUrl,
    natsNamespace: o.natsNamespace ?? s.natsNamespace,
    urls: { channel: s.channelServiceUrl },
    serviceTokens: o.serviceTokens,
    logger: o.logger,
  });
  const userEvents = userStreamTransport(o);
  return {
    channels,
    users,
    channelEvents,
    userEvents,
    close: () => {
      channels.close();
      users.close();
      // Subscriptions are stopped by their owners first (main.ts); this drains a NATS link.
      void channelEvents.close();
      void userEvents.close();
    },
  };
}
