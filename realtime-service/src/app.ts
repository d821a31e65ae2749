import type { Express } from 'express';
import { TicketSigner, TokenVerifier, type ServiceKeys, type TokenSettings } from '@canaduck/auth';
import { RevocationMap } from '@canaduck/events';
import type { Logger } from '@canaduck/logging';
import { ApiDocs, createServiceApp } from '@canaduck/service-kit';
import type { Clients } from './clients';
import type { Settings } from './config';
import { AccessCache } from './domain/access-cache';
import { Audience } from './domain/audience';
import { CatchUp } from './domain/catch-up';
import { ConnectionRegistry } from './domain/connection-registry';
import { EventHub } from './domain/event-hub';
import { MembershipCache } from './domain/membership-cache';
import { StreamAuth, TICKET_AUDIENCE, type TicketClaims } from './domain/stream-auth';
import { streamRoutes } from './routes/stream-routes';
import { wsUpgradeHandler } from './routes/ws-upgrade';
import { StreamReader } from './streams/stream-reader';

/** realtime-service owns no database: its base is the logger, the token settings and its service keys. */
export interface AppDeps {
  logger: Logger;
  tokens: TokenSettings;
  /** Its own key signs its stream tickets (its replicas hold the same key). */
  serviceKeys: ServiceKeys;
  settings: Settings;
  clients: Clients;
  now?: () => number;
}

export interface RealtimeApp {
  app: Express;
  hub: EventHub;
  /** The server's `upgrade` listener (GET /ws). */
  upgrade: ReturnType<typeof wsUpgradeHandler>['handler'];
  /** Starts reading the streams and the heartbeat. */
  start(): void;
  /** Tells every client to reconnect and closes them (SIGTERM), at once. */
  shutdown(): void;
  /** Stops the readers (after shutdown). */
  stop(): Promise<void>;
}

export function createRealtimeApp(deps: AppDeps): RealtimeApp {
  const now = deps.now ?? Date.now;
  const { settings, clients, logger } = deps;
  const reader = new StreamReader({
    transport: clients.events,
    windowEvents: settings.windowEvents,
    syncWindowMs: settings.streamSyncWindowMs,
    logger,
    now,
  });
  const access = new AccessCache({
    channels: clients.channels,
    ttlMs: settings.accessCacheMs,
    syncedTtlMs: settings.accessCacheSyncedMs,
    channelStreamInSync: () => reader.inSync('channel'),
    logger,
    now,
  });
  const audience = new Audience();
  // Fed by the hub from its own read of the user stream (replayed from the start of retention).
  const revocation = new RevocationMap({ transport: clients.events, logger, now });
  const hub = new EventHub({
    reader,
    audience,
    access,
    registry: new ConnectionRegistry(),
    catchUp: new CatchUp({ reader, audience, access, resumeWaitMs: settings.resumeWaitMs, logger }),
    revocation,
    memberships: new MembershipCache({
      channels: clients.channels,
      ttlMs: () => (reader.inSync('channel') ? settings.accessCacheSyncedMs : settings.accessCacheMs),
      now,
    }),
    sendBufferBytes: settings.sendBufferBytes,
    heartbeatMs: settings.heartbeatMs,
    logger,
    now,
  });
  const auth = new StreamAuth({
    verifier: new TokenVerifier(deps.tokens),
    tickets: new TicketSigner<TicketClaims>({
      keys: deps.serviceKeys,
      audience: TICKET_AUDIENCE,
      ttlSeconds: settings.ticketTtlSeconds,
      now,
    }),
    usedTickets: clients.usedTickets,
    revocation,
    now,
  });
  const docs = new ApiDocs();
  const ws = wsUpgradeHandler({ hub, auth, logger });
  const app = createServiceApp({
    name: 'realtime-service',
    logger,
    openapi: {
      title: 'CanaDuck realtime-service',
      description: 'Push: Server-Sent Events, WebSocket (GET /ws, described in structures.md) and long poll, with resumable cursors',
      docs,
    },
    readiness: { streams: async () => reader.caughtUp('message') },
    readinessInfo: () => ({ connections: hub.connections, streams: reader.status() }),
    routes: (a) => {
      a.use(streamRoutes({ hub, auth, docs }));
    },
  });
  return {
    app,
    hub,
    upgrade: ws.handler,
    start: () => hub.start(),
    shutdown: () => hub.shutdown(),
    stop: async () => {
      await hub.stop();
      ws.close();
    },
  };
}

/** The Express app alone (tests of plain routes). */
export function createApp(deps: AppDeps): Express {
  return createRealtimeApp(deps).app;
}
