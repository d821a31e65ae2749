import type { Express } from 'express';
import { authenticate, withRevocation, type TokenRevocation } from '@canaduck/auth';
import { createTokenRevocation, EventBackbone, type EventBackboneOptions, eventFeedRoutes, Outbox } from '@canaduck/events';
import { type AppBase, ApiDocs, createServiceApp, unknownInternalRoutes } from '@canaduck/service-kit';
import type { Clients } from './clients';
import type { Settings } from './config';
import { AccessService } from './domain/access-service';
import { AccountDeletion } from './domain/account-deletion';
import { ChannelEvents } from './domain/channel-events';
import { ChannelService } from './domain/channel-service';
import { MembershipService } from './domain/membership-service';
import { AccountDeletionFollower } from './feed/account-deletion-follower';
import { BanRepository } from './repositories/ban-repository';
import { ChannelRepository } from './repositories/channel-repository';
import { InviteRepository } from './repositories/invite-repository';
import { MemberRepository } from './repositories/member-repository';
import { StreamCursorRepository } from './repositories/stream-cursor-repository';
import { channelRoutes } from './routes/channel-routes';
import { internalRoutes } from './routes/internal-routes';
import { membershipRoutes } from './routes/membership-routes';
import { answerSchemas } from './routes/schemas';

export interface AppDeps extends AppBase {
  settings: Settings;
  clients: Clients;
  now?: () => number;
  /** Tests: faster sequencer timings and their own NATS stream names. */
  eventBackbone?: Pick<EventBackboneOptions, 'pollMs' | 'electionMs' | 'readPollMs' | 'natsNamespace'>;
}

/** The app and the workers main.ts starts (and stops before the database closes). */
export interface ChannelApp {
  app: Express;
  /** Sequences, serves, prunes and relays the channel events. */
  backbone: EventBackbone;
  revocation: TokenRevocation;
  /** Applies user-service's `user.deleted` to the channels. */
  accountDeletions: AccountDeletionFollower;
}

const DESCRIPTION = 'Channels, topic, modes, members, owner/moderators/invited/banned and the channel policy.';

/** Builds the channel-service: repositories -> events -> domain -> routes. */
export function createChannelApp(deps: AppDeps): ChannelApp {
  const { knex, logger, settings } = deps;
  // Tokens revoked by user events (logout, password or role change, deletion) get 401 token_revoked.
  const revocation = createTokenRevocation({ transport: deps.clients.userEvents, lookup: deps.clients.users, logger });
  const tokens = withRevocation(deps.tokens, revocation);
  const now = deps.now ?? Date.now;
  const backbone = new EventBackbone({
    knex,
    service: 'channel',
    logger,
    retentionMs: settings.eventRetentionMs,
    natsUrl: settings.natsUrl,
    natsNamespace: settings.natsNamespace,
    now,
    ...deps.eventBackbone,
  });
  const events = new ChannelEvents({ outbox: new Outbox({ knex, service: 'channel', now }), poke: () => backbone.poke() });
  const repositories = {
    channels: new ChannelRepository(knex),
    members: new MemberRepository(knex),
    invites: new InviteRepository(knex),
    bans: new BanRepository(knex),
  };
  const channels = new ChannelService({ ...repositories, events, db: knex, logger, now });
  const membership = new MembershipService({ ...repositories, events, users: deps.clients.users, db: knex, logger, now });
  const access = new AccessService(repositories);
  // Reads the user stream through the revocation map's transport (one connection, two subscriptions).
  const accountDeletions = new AccountDeletionFollower({
    transport: deps.clients.userEvents,
    deletion: new AccountDeletion({ ...repositories, cursors: new StreamCursorRepository(knex), events, db: knex, logger }),
    logger,
  });
  const docs = new ApiDocs();
  const answers = answerSchemas(docs);
  const app = createServiceApp({
    name: 'channel-service',
    logger,
    bodyLimit: deps.settings.bodyLimit,
    openapi: { description: DESCRIPTION, docs },
    // /ready checks it; its pool use becomes metrics (GET /metrics).
    knex,
    readinessInfo: () => ({ revocation: revocation.degraded ? 'stale' : 'live' }),
    routes: (app) => {
      // Optional on reads (anonymous callers see public channels), required on writes (requireAuth per route).
      app.use('/channel', authenticate(tokens));
      app.use(channelRoutes({ channels, docs, answers }));
      app.use(membershipRoutes({ membership, docs, answers }));
      app.use(internalRoutes({ access, serviceKeys: deps.serviceKeys, docs, answers }));
      // Every change of channel state, in commit order (issue 22); secret channels' events too.
      // Its readers are the ones INTERNAL_CALLERS names for GET /internal/events.
      app.use(eventFeedRoutes(backbone, { serviceKeys: deps.serviceKeys, docs }));
      app.use(unknownInternalRoutes(deps.serviceKeys));
    },
  });
  return { app, backbone, revocation, accountDeletions };
}

/** The Express app alone (its backbone is not started: the feed serves what is sequenced). */
export function createApp(deps: AppDeps): Express {
  return createChannelApp(deps).app;
}
