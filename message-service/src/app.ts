import type { RequestListener } from 'node:http';
import path from 'node:path';
import type { Express } from 'express';
import { authenticate, requireAuth, type TokenSettings } from '@canaduck/auth';
import { pingDatabase, type Knex } from '@canaduck/db';
import type { Logger } from '@canaduck/logging';
import { createServiceApp, type ServiceGuards } from '@canaduck/service-kit';
import type { Clients } from './clients';
import { AccessPolicy } from './domain/access-policy';
import { EventFeed } from './domain/event-feed';
import { MessageService } from './domain/message-service';
import { ReactionService } from './domain/reaction-service';
import { SearchService } from './domain/search-service';
import { EventRepository } from './repositories/event-repository';
import { MessageRepository } from './repositories/message-repository';
import { ReactionRepository } from './repositories/reaction-repository';
import { SearchRepository } from './repositories/search-repository';
import { channelPageHandler } from './routes/channel-page-handler';
import { internalRoutes } from './routes/internal-routes';
import { messageRoutes } from './routes/message-routes';
import { reactionRoutes } from './routes/reaction-routes';
import { searchRoutes } from './routes/search-routes';

export interface AppDeps {
  logger: Logger;
  knex: Knex;
  tokens: TokenSettings;
  serviceSecret: string;
  /** Clients of channel-service and user-service (see createClients). */
  clients: Clients;
  bodyLimit?: string;
  /** See EVENT_GAP_WAIT_MS. */
  eventGapWaitMs?: number;
  /** See MESSAGE_INSERT_BATCH. */
  insertBatch?: number;
  /** Access log, deadline and database gate; by default what runService set for the process. */
  guards?: ServiceGuards;
}

export interface MessageApp {
  app: Express;
  /** What the server runs: GET /msg's fast path in front of `app` (channel-page-handler.ts). */
  handler: RequestListener;
}

/** Builds the message-service's app and its handler; tests call this with their own dependencies. */
export function createMessageApp(deps: AppDeps): MessageApp {
  const store = {
    knex: deps.knex,
    messages: new MessageRepository(deps.knex, deps.insertBatch),
    reactions: new ReactionRepository(deps.knex),
    events: new EventRepository(deps.knex),
  };
  const policy = new AccessPolicy(deps.clients.channels);
  const messages = new MessageService(store, policy, deps.clients.users);
  const reactions = new ReactionService(store, policy, messages);
  const search = new SearchService(store, new SearchRepository(deps.knex), policy);
  const feed = new EventFeed(store.events, deps.eventGapWaitMs ?? 5000);

  const app = createServiceApp({
    name: 'message-service',
    logger: deps.logger,
    bodyLimit: deps.bodyLimit,
    guards: deps.guards,
    openapi: { title: 'CanaDuck IRC message-service', apis: [path.join(__dirname, 'routes', '*.{ts,js}')] },
    readiness: { database: () => pingDatabase(deps.knex) },
    routes: (app) => {
      internalRoutes(app, feed, deps.serviceSecret);
      // Every /msg route, reads included, needs a user token.
      app.use('/msg', authenticate(deps.tokens), requireAuth());
      reactionRoutes(app, reactions, messages);
      searchRoutes(app, search);
      messageRoutes(app, messages);
    },
  });
  return { app, handler: channelPageHandler({ app, messages, tokens: deps.tokens, logger: deps.logger, guards: deps.guards }) };
}

/** The Express app alone (every route, no fast path). */
export function createApp(deps: AppDeps): Express {
  return createMessageApp(deps).app;
}
