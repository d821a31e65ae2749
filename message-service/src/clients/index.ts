import type { ServiceTokenMinter } from '@canaduck/auth';
import { ServiceClient } from '@canaduck/http-client';
import type { Logger } from '@canaduck/logging';
import { type MessageConfig, settingsFrom } from '../config';
import { ChannelClient } from './channel-client';
import { UserClient } from './user-client';

export { ChannelClient, type ChannelAccess } from './channel-client';
export { UserClient, type InternalUser } from './user-client';

export interface Clients {
  channels: ChannelClient;
  users: UserClient;
  close(): void;
}

export interface ClientsOptions {
  config: MessageConfig;
  serviceTokens: ServiceTokenMinter;
  logger: Logger;
}

/** The only place the message-service's clients of other services are built; service tokens on every call. */
export function createClients(o: ClientsOptions): Clients {
  const s = settingsFrom(o.config);
  const serviceAuth = () => `Bearer ${o.serviceTokens.get()}`;
  const client = (name: string, baseUrl: string) => new ServiceClient({ name, baseUrl, timeoutMs: s.httpTimeoutMs, serviceAuth });
  const channels = new ChannelClient(client('channel-service', s.channelServiceUrl), s.accessCacheMs);
  const users = new UserClient(client('user-service', s.userServiceUrl));
  return {
    channels,
    users,
    close: () => {
      channels.close();
      users.close();
    },
  };
}
