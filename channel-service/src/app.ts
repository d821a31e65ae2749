import type { Express } from 'express';
import { authenticate } from '@canaduck/auth';
import { pingDatabase } from '@canaduck/db';
import { type AppBase, ApiDocs, createServiceApp } from '@canaduck/service-kit';
import type { Clients } from './clients';
import type { Settings } from './config';
import { AccessService } from './domain/access-service';
import { ChannelService } from './domain/channel-service';
import { MembershipService } from './domain/membership-service';
import { BanRepository } from './repositories/ban-repository';
import { ChannelRepository } from './repositories/channel-repository';
import { InviteRepository } from './repositories/invite-repository';
import { MemberRepository } from './repositories/member-repository';
import { channelRoutes } from './routes/channel-routes';
import { internalRoutes } from './routes/internal-routes';
import { membershipRoutes } from './routes/membership-routes';
import { answerSchemas } from './routes/schemas';

export interface AppDeps extends AppBase {
  settings: Settings;
  clients: Clients;
  now?: () => number;
}

const API_INFO = {
  title: 'CanaDuck IRC channel-service',
  description: 'Channels, topic, modes, members, owner/moderators/invited/banned and the channel policy.',
};

/** Builds the channel-service's app: repositories -> domain -> routes. Tests call this with their own dependencies. */
export function createApp(deps: AppDeps): Express {
  const { knex, logger } = deps;
  const now = deps.now ?? Date.now;
  const repositories = {
    channels: new ChannelRepository(knex),
    members: new MemberRepository(knex),
    invites: new InviteRepository(knex),
    bans: new BanRepository(knex),
  };
  const channels = new ChannelService({ ...repositories, db: knex, logger, now });
  const membership = new MembershipService({ ...repositories, users: deps.clients.users, db: knex, logger, now });
  const access = new AccessService(repositories);
  const docs = new ApiDocs();
  const answers = answerSchemas(docs);
  return createServiceApp({
    name: 'channel-service',
    logger,
    bodyLimit: deps.settings.bodyLimit,
    openapi: { ...API_INFO, docs },
    readiness: { database: () => pingDatabase(knex) },
    // Its pool use becomes metrics (GET /metrics).
    knex: knex,
    routes: (app) => {
      // Optional on reads (anonymous callers see public channels), required on writes (requireAuth per route).
      app.use('/channel', authenticate(deps.tokens));
      app.use(channelRoutes({ channels, docs, answers }));
      app.use(membershipRoutes({ membership, docs, answers }));
      app.use(internalRoutes({ access, serviceSecret: deps.serviceSecret, docs, answers }));
    },
  });
}
