import type { Express } from 'express';
import { withRevocation, type TokenRevocation } from '@canaduck/auth';
import { createTokenRevocation } from '@canaduck/events';
import { ApiDocs, createServiceApp, ServiceMetrics, type AppBase } from '@canaduck/service-kit';
import type { Clients } from './clients';
import type { Settings } from './config';
import { ChannelVisibilityService } from './domain/channel-visibility-service';
import { FeedApplier } from './domain/feed-applier';
import { StatsService } from './domain/stats-service';
import { EventFollower } from './feed/event-follower';
import { AggregatesRepository } from './repositories/aggregates-repository';
import { ChannelRepository } from './repositories/channel-repository';
import { StatsRepository } from './repositories/stats-repository';
import { StatsStateRepository } from './repositories/stats-state-repository';
import { statsRoutes } from './routes/stats-routes';

export interface AppDeps extends AppBase {
  settings: Settings;
  clients: Clients;
  /** Clock for the hourly buckets and the poller (tests fix it). */
  now?: () => number;
}

export interface StatsApp {
  app: Express;
  /** The stream's background worker: main.ts starts it and stops it on shutdown. */
  poller: EventFollower;
  /** Applies a page of feed events (the poller's own path; tests replay pages through it). */
  applier: FeedApplier;
  /** The token revocation map (user stream): main.ts starts it and stops it on shutdown. */
  revocation: TokenRevocation;
}

/** Builds the stats-service: repositories -> domain -> routes, and the feed poller over the same objects. */
export function createStatsApp(deps: AppDeps): StatsApp {
  const now = deps.now ?? Date.now;
  // Tokens revoked by user events (logout, password or role change, deletion) get 401 token_revoked.
  const revocation = createTokenRevocation({ transport: deps.clients.userEvents, lookup: deps.clients.users, logger: deps.logger });
  const tokens = withRevocation(deps.tokens, revocation);
  const state = new StatsStateRepository(deps.knex);
  const stats = new StatsService({ stats: new StatsRepository(deps.knex), state, now });
  const applier = new FeedApplier({ db: deps.knex, state, aggregates: new AggregatesRepository(deps.knex), logger: deps.logger });
  const visibility = new ChannelVisibilityService({
    db: deps.knex,
    channels: new ChannelRepository(deps.knex),
    channelService: deps.clients.channels,
    logger: deps.logger,
    channelRefreshMs: deps.settings.channelRefreshMs,
  });
  const poller = new EventFollower({
    transport: deps.clients.messageEvents,
    state,
    applier,
    visibility,
    logger: deps.logger,
    settings: deps.settings,
    now,
  });

  const docs = new ApiDocs();
  const app = createServiceApp({
    name: 'stats-service',
    logger: deps.logger,
    openapi: {
      description: 'Statistics over the message feed: active channels, hourly activity, messages per user, top reacted messages',
      docs,
    },
    // Only the database decides readiness (without the feed, stats answer from the aggregates); its pool use becomes metrics.
    knex: deps.knex,
    readinessInfo: () => ({ feeds: poller.status(), revocation: revocation.degraded ? 'stale' : 'live' }),
    metrics: feedMetrics(poller),
    routes: (app) => {
      app.use(statsRoutes({ stats, tokens, docs }));
    },
  });
  return { app, poller, applier, revocation };
}

/** The stats-service's Express app (its poller built but not started); tests call this. */
export function createApp(deps: AppDeps): Express {
  return createStatsApp(deps).app;
}

/** The stream consumer's lag, for Prometheus: seconds since it last heard from message-service's stream. */
function feedMetrics(poller: EventFollower): ServiceMetrics {
  const metrics = new ServiceMetrics('stats-service');
  metrics.gauge(
    'event_stream_poll_age_seconds',
    'Seconds since the consumer last read its event stream (grows while it lags or its source is down)',
    () => {
      const at = poller.status().last_poll_at;
      return [{ labels: { consumer: 'stats-service', stream: 'message' }, value: at ? (Date.now() - Date.parse(at)) / 1000 : -1 }];
    },
    ['consumer', 'stream'],
  );
  return metrics;
}
