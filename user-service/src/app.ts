import path from 'node:path';
import type { Express } from 'express';
import { authenticate, ServiceTokenMinter, type TokenSettings } from '@canaduck/auth';
import { pingDatabase, type Knex } from '@canaduck/db';
import type { Logger } from '@canaduck/logging';
import { createServiceApp } from '@canaduck/service-kit';
import { ChannelClient } from './clients/channel-client';
import { buildJwks, completeTokenSettings } from './domain/jwks';
import { PasswordHasher } from './domain/passwords';
import type { UserContext, UserSettings } from './domain/user-context';
import { UserRepository } from './repositories/user-repository';
import { accountRoutes } from './routes/account-routes';
import { internalRoutes } from './routes/internal-routes';
import { jwksRoutes } from './routes/jwks-routes';
import { openapiSchemas } from './routes/openapi-schemas';
import { presenceRoutes } from './routes/presence-routes';
import { profileRoutes } from './routes/profile-routes';
import { roleRoutes } from './routes/role-routes';

export interface AppDeps {
  logger: Logger;
  knex: Knex;
  tokens: TokenSettings;
  serviceSecret: string;
  settings: UserSettings;
  /** Mints this service's tokens for its calls to channel-service. */
  serviceTokens?: ServiceTokenMinter;
  /** Epoch milliseconds (tests move time to check presence timeouts). */
  now?: () => number;
}

export interface UserService {
  app: Express;
  ctx: UserContext;
  /** Stops the outgoing client's timers. */
  close(): void;
}

/** Wires the user-service: context, routes, OpenAPI. main.ts and the tests both start here. */
export function createUserService(deps: AppDeps): UserService {
  const tokens = completeTokenSettings(deps.tokens);
  const minter = deps.serviceTokens ?? new ServiceTokenMinter('user-service', deps.serviceSecret);
  const channels = new ChannelClient({
    baseUrl: deps.settings.channelServiceUrl,
    timeoutMs: deps.settings.whoisChannelsTimeoutMs,
    serviceAuth: () => `Bearer ${minter.get()}`,
    logger: deps.logger,
  });
  const ctx: UserContext = {
    repo: new UserRepository(deps.knex),
    hasher: new PasswordHasher(deps.settings.bcryptCost),
    settings: deps.settings,
    tokens,
    logger: deps.logger,
    channels,
    now: deps.now ?? Date.now,
  };
  const auth = authenticate(tokens);
  const app = createServiceApp({
    name: 'user-service',
    logger: deps.logger,
    openapi: {
      title: 'CanaDuck IRC user-service',
      description: 'Accounts, authentication, presence, avatars and global roles (user, admin) of CanaDuck IRC.',
      apis: [path.join(__dirname, 'routes', '*.{ts,js}')],
      components: openapiSchemas,
    },
    readiness: { database: () => pingDatabase(deps.knex) },
    routes: (app) => {
      app.use(internalRoutes(ctx, deps.serviceSecret));
      app.use(jwksRoutes(buildJwks(tokens)));
      app.use(accountRoutes(ctx, auth));
      app.use(presenceRoutes(ctx, auth));
      app.use(profileRoutes(ctx, auth));
      app.use(roleRoutes(ctx, auth));
    },
  });
  return { app, ctx, close: () => channels.close() };
}

/** Builds the user-service's app; tests call this with their own dependencies. */
export function createApp(deps: AppDeps): Express {
  return createUserService(deps).app;
}
