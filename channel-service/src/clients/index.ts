import { ServiceClient } from '@canaduck/http-client';
import type { Logger } from '@canaduck/logging';
import type { Config } from '../config';
import { UserClient } from './user-client';

export { UserClient, type KnownUser } from './user-client';

/** The services channel-service calls. */
export interface Clients {
  /** user-service: invitations name registered users. */
  users: UserClient;
  close(): void;
}

export interface ClientsOptions {
  config: Pick<Config, 'USER_SERVICE_URL' | 'HTTP_TIMEOUT_MS'>;
  /** Mints the service token of each internal call. */
  serviceTokens: { get(): string };
  logger: Logger;
}

/** The only place channel-service's outbound clients are built (main.ts, and tests with nock'd URLs). */
export function createClients(o: ClientsOptions): Clients {
  const users = new UserClient(
    new ServiceClient({
      name: 'user-service',
      baseUrl: o.config.USER_SERVICE_URL,
      timeoutMs: o.config.HTTP_TIMEOUT_MS,
      serviceAuth: () => `Bearer ${o.serviceTokens.get()}`,
    }),
  );
  return { users, close: () => users.close() };
}
