import path from 'node:path';
import type { Express } from 'express';
import type { TokenSettings } from '@canaduck/auth';
import { pingDatabase, type Knex } from '@canaduck/db';
import type { Logger } from '@canaduck/logging';
import { createServiceApp } from '@canaduck/service-kit';
import { StatsService } from './domain/stats-service';
import type { FeedStatus } from './feed/event-poller';
import { StatsRepository } from './repositories/stats-repository';
import { statsRoutes } from './routes/stats-routes';

export interface AppDeps {
  logger: Logger;
  knex: Knex;
  tokens: TokenSettings;
  serviceSecret: string;
  /** The poller's view of the feeds, shown by /ready (absent when no poller runs). */
  feedStatus?: () => FeedStatus;
  /** Clock for the hourly buckets (tests). */
  now?: () => number;
}

/** Builds the stats-service's app; tests call this with their own dependencies. */
export function createApp(deps: AppDeps): Express {
  const service = new StatsService(new StatsRepository(deps.knex), deps.now);
  return createServiceApp({
    name: 'stats-service',
    logger: deps.logger,
    openapi: { title: 'CanaDuck IRC stats-service', apis: [path.join(__dirname, 'routes', '*.{ts,js}')] },
    // Only the database decides readiness: without the feed, stats answer from the aggregates.
    readiness: { database: () => pingDatabase(deps.knex) },
    readinessInfo: () => ({ feeds: deps.feedStatus?.() ?? null }),
    routes: (app) => {
      app.use(statsRoutes(service, deps.tokens));
    },
  });
}
