import type { RequestListener } from 'node:http';
import type { Express } from 'express';
import { authenticate, requireAuth, type TokenRevocation, withRevocation } from '@canaduck/auth';
import { createTokenRevocation, EventBackbone, type EventBackboneOptions, eventFeedRoutes, Outbox } from '@canaduck/events';
import { ApiDocs, type AppBase, createServiceApp, type ServiceGuards, unknownInternalRoutes } from '@canaduck/service-kit';
import type { Clients } from './clients';
import type { Settings } from './config';
import { AccessPolicy } from './domain/access-policy';
import { ChannelAccessFollower } from './domain/channel-access-follower';
import { MessageEvents } from './domain/message-events';
import { MessageService } from './domain/message-service';
import { MessageWriter } from './domain/message-writer';
import { ReactionService } from './domain/reaction-service';
import { SearchService } from './domain/search-service';
import { MessageRepository } from './repositories/message-repository';
import { ReactionRepository } from './repositories/reaction-repository';
import { SearchRepository } from './repositories/search-repository';
import { SearchWordsRepository } from './repositories/search-words-repository';
import { channelPageHandler } from './routes/channel-page-handler';
import { messageRoutes } from './routes/message-routes';
import { IdempotencyService } from './domain/idempotency-service';
import { IdempotencyRepository } from './repositories/idempotency-repository';
import { reactionRoutes } from './routes/reaction-routes';
import { answerSchemas } from './routes/schemas';
import { searchRoutes } from './routes/search-routes';

export interface AppDeps extends AppBase {
  settings: Settings;
  /** Clients of channel-service and user-service (createClients). */
  clients: Clients;
  /** The clock of the domain (message and event times); Date.now by default. */
  now?: () => number;
  /** Tuning of the event backbone (tests: fast polls, their own NATS namespace). */
  eventBackbone?: Pick<EventBackboneOptions, 'pollMs' | 'electionMs' | 'readPollMs' | 'natsNamespace' | 'pruneEveryMs'>;
  /** Access log, deadline and database gate; by default what runService set for the process. */
  guards?: ServiceGuards;
}

export interface MessageApp {
  app: Express;
  /** What the server runs: GET /msg's fast path in front of `app` (channel-page-handler.ts). */
  handler: RequestListener;
  /** Sequences, serves, prunes and relays the message events: main.ts starts and stops it. */
  backbone: EventBackbone;
  /** Drops cached channel access on channel events: main.ts starts and stops it. */
  channelFollower: ChannelAccessFollower;
  /** The token revocation map (user stream): main.ts starts it and stops it on shutdown. */
  revocation: TokenRevocation;
}

/** Builds the message-service: repositories, then the domain, then the routes and GET /msg's fast path. */
export function createMessageApp(deps: AppDeps): MessageApp {
  const { knex, settings, clients } = deps;
  const now = deps.now ?? Date.now;
  // Tokens revoked by user events (logout, password or role change, deletion) get 401 token_revoked.
  const revocation = createTokenRevocation({ transport: clients.userEvents, lookup: clients.users, logger: deps.logger });
  const tokens = withRevocation(deps.tokens, revocation);
  const repositories = {
    messages: new MessageRepository(knex),
    reactions: new ReactionRepository(knex),
  };
  const backbone = new EventBackbone({
    knex,
    service: 'message',
    logger: deps.logger,
    retentionMs: settings.eventRetentionMs,
    natsUrl: settings.natsUrl,
    natsNamespace: settings.natsNamespace,
    now,
    ...deps.eventBackbone,
  });
  const events = new MessageEvents({ outbox: new Outbox({ knex, service: 'message', now }), poke: () => backbone.poke() });
  const policy = new AccessPolicy({ channels: clients.channels });
  const writer = new MessageWriter({
    messages: repositories.messages,
    events,
    db: knex,
    insertBatch: settings.insertBatch,
    insertQueueMax: settings.insertQueueMax,
  });
  const idempotency = new IdempotencyService({ keys: new IdempotencyRepository(knex), ttlMs: settings.idempotencyTtlMs, now });
  const messages = new MessageService({ ...repositories, events, writer, policy, users: clients.users, db: knex, now });
  const reactions = new ReactionService({
    ...repositories,
    events,
    messageService: messages,
    policy,
    db: knex,
    now,
    limits: settings.reactionLimits,
  });
  const search = new SearchService({
    search: new SearchRepository(knex),
    words: new SearchWordsRepository(knex),
    policy,
    maxWindow: settings.searchMaxWindow,
  });
  const channelFollower = new ChannelAccessFollower({ transport: clients.channelEvents, cache: clients.channels, logger: deps.logger });

  const docs = new ApiDocs();
  const answers = answerSchemas(docs);
  const app = createServiceApp({
    name: 'message-service',
    logger: deps.logger,
    bodyLimit: settings.bodyLimit,
    guards: deps.guards,
    openapi: { description: 'Channel and private messages, threads, reactions, pins, search, and the message event feed.', docs },
    // /ready checks it; its pool use becomes metrics (GET /metrics).
    knex,
    // An open circuit does not make the service unready (reads the access cache holds still work).
    readinessInfo: () => ({
      revocation: revocation.degraded ? 'stale' : 'live',
      circuits: { 'channel-service': clients.channels.circuitState },
    }),
    routes: (app) => {
      // Its readers are the ones INTERNAL_CALLERS names for GET /internal/events.
      app.use(eventFeedRoutes(backbone, { serviceKeys: deps.serviceKeys, docs }));
      app.use(unknownInternalRoutes(deps.serviceKeys));
      // Every /msg route, reads included, needs a user token.
      app.use('/msg', authenticate(tokens), requireAuth());
      app.use(reactionRoutes({ reactions, messages, idempotency, docs, answers }));
      app.use(searchRoutes({ search, docs, answers }));
      app.use(messageRoutes({ messages, idempotency, docs, answers }));
    },
  });
  const handler = channelPageHandler({ app, messages, tokens, logger: deps.logger, guards: deps.guards });
  return { app, handler, backbone, channelFollower, revocation };
}

/** The Express app alone (every route, no fast path, backbone not started); tests call this with their own dependencies. */
export function createApp(deps: AppDeps): Express {
  return createMessageApp(deps).app;
}
