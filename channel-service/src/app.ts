import path from 'node:path';
import type { Express } from 'express';
import { authenticate, type TokenSettings } from '@canaduck/auth';
import { pingDatabase, type Knex } from '@canaduck/db';
import type { ServiceClient } from '@canaduck/http-client';
import type { Logger } from '@canaduck/logging';
import { createServiceApp } from '@canaduck/service-kit';
import { UserClient } from './clients/user-client';
import { AccessService } from './domain/access-service';
import { ChannelService } from './domain/channel-service';
import { MembershipService } from './domain/membership-service';
import { openapiSchemas } from './openapi-schemas';
import { channelRoutes } from './routes/channel-routes';
import { internalRoutes } from './routes/internal-routes';
import { membershipRoutes } from './routes/membership-routes';

export interface AppDeps {
  logger: Logger;
  knex: Knex;
  tokens: TokenSettings;
  serviceSecret: string;
  /** user-service, called with a service token (invitations check that the user exists). */
  userService: ServiceClient;
  bodyLimit?: string;
}

/** Builds the channel-service's app; tests call this with their own dependencies. */
export function createApp(deps: AppDeps): Express {
  const channels = new ChannelService(deps.knex, deps.logger);
  const membership = new MembershipService(deps.knex, deps.logger, new UserClient(deps.userService));
  const access = new AccessService(deps.knex);
  return createServiceApp({
    name: 'channel-service',
    logger: deps.logger,
    bodyLimit: deps.bodyLimit,
    openapi: {
      title: 'CanaDuck IRC channel-service',
      description: 'Channels, topic, modes, members, owner/moderators/invited/banned and the channel policy.',
      apis: [path.join(__dirname, 'routes', '*.{ts,js}')],
      components: openapiSchemas,
    },
    readiness: { database: () => pingDatabase(deps.knex) },
    routes: (app) => {
      // Optional on reads (anonymous callers see public channels), required on writes (requireAuth per route).
      app.use('/channel', authenticate(deps.tokens));
      app.use(channelRoutes(channels));
      app.use(membershipRoutes(membership));
      app.use(internalRoutes(access, deps.serviceSecret));
    },
  });
}
