import type { ServiceTokenMinter } from '@canaduck/auth';
import { userStreamTransport, type EventTransport } from '@canaduck/events';
import { closeAll, ServiceClient } from '@canaduck/http-client';
import type { Logger } from '@canaduck/logging';
import type { Config } from '../config';
import { UserClient } from './user-client';

export { UserClient, type KnownUser } from './user-client';

/** The services channel-service calls. */
export interface Clients {
  /** user-service: invitations name registered users. */
  users: UserClient;
  /** The user stream (user-service's feed, or NATS when NATS_URL is set): the token revocation map reads it. */
  userEvents: EventTransport;
  close(): Promise<void>;
}

export interface ClientsOptions {
  config: Pick<Config, 'USER_SERVICE_URL' | 'HTTP_TIMEOUT_MS' | 'NATS_URL'> & { NATS_NAMESPACE?: string };
  /** NATS stream prefix (tests use their own). */
  natsNamespace?: string;
  /** Mints the service token of each internal call. */
  serviceTokens: ServiceTokenMinter;
  logger: Logger;
}

/** The only place channel-service's outbound clients are built (main.ts, and tests with nock'd URLs). */
export function createClients(o: ClientsOptions): Clients {
  const users = new UserClient(
    new ServiceClient({
      name: 'user-service',
      baseUrl: o.config.USER_SERVICE_URL,
      timeoutMs: o.config.HTTP_TIMEOUT_MS,
      serviceTokens: o.serviceTokens,
    }),
  );
  const userEvents = userStreamTransport(o);
  return { users, userEvents, close: () => closeAll(users, userEvents) };
}
