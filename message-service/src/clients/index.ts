import type { ServiceTokenMinter } from '@canaduck/auth';
import { ServiceClient } from '@canaduck/http-client';
import { ChannelClient } from './channel-client';
import { UserClient } from './user-client';

export { ChannelClient, type ChannelAccess } from './channel-client';
export { UserClient, type InternalUser } from './user-client';

export interface ClientSettings {
  channelServiceUrl: string;
  userServiceUrl: string;
  serviceTokens: ServiceTokenMinter;
  accessCacheMs: number;
  timeoutMs: number;
}

export interface Clients {
  channels: ChannelClient;
  users: UserClient;
  close(): void;
}

/** The message-service's clients of other services, with service tokens on every call. */
export function createClients(s: ClientSettings): Clients {
  const serviceAuth = () => `Bearer ${s.serviceTokens.get()}`;
  const channels = new ChannelClient(
    new ServiceClient({ name: 'channel-service', baseUrl: s.channelServiceUrl, timeoutMs: s.timeoutMs, serviceAuth }),
    s.accessCacheMs,
  );
  const users = new UserClient(new ServiceClient({ name: 'user-service', baseUrl: s.userServiceUrl, timeoutMs: s.timeoutMs, serviceAuth }));
  return {
    channels,
    users,
    close: () => {
      channels.close();
      users.close();
    },
  };
}
