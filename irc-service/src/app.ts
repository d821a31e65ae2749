import type { Express } from 'express';
import type { Logger } from '@canaduck/logging';
import { ApiDocs, createServiceApp, ServiceMetrics } from '@canaduck/service-kit';
import type { Clients } from './clients';
import type { Settings } from './config';
import { feedHead, StreamConsumer } from './delivery/stream-consumer';
import { GuestKeeper } from './server/guest-keeper';
import { IrcServer } from './server/irc-server';

/** The door owns no database: its deps are its settings, its clients and a logger. */
export interface AppDeps {
  logger: Logger;
  settings: Settings;
  clients: Clients;
  now?: () => number;
}

export interface IrcApp {
  /** /health, /ready, /openapi.json and /docs. */
  app: Express;
  server: IrcServer;
  guests: GuestKeeper;
  /** Listens for IRC and starts reading the event stream; answers the bound ports. */
  start(host?: string): Promise<{ port: number; tlsPort?: number }>;
  /** Tells every client, closes them, stops reading the stream. */
  stop(reason?: string): Promise<void>;
}

/** The client whose event feed gives each stream's head. */
const FEED_CLIENTS = { message: 'messages', channel: 'channels', user: 'users' } as const;

/** Builds the IRC door: its TCP (and TLS) listeners, the event consumer and the HTTP side. */
export function createIrcApp(deps: AppDeps): IrcApp {
  const server = new IrcServer(deps);
  const guests = new GuestKeeper(server);
  const feed = new StreamConsumer({
    transport: deps.clients.events,
    services: deps.settings.eventStreams,
    handler: (events) => server.router.apply(events),
    head: (service) => feedHead(deps.clients[FEED_CLIENTS[service]]),
    logger: deps.logger,
  });
  let listening = false;
  const app = createServiceApp({
    name: 'irc-service',
    logger: deps.logger,
    openapi: {
      description: 'The IRC door: IRC clients connect over TCP (IRC_PORT, IRC_TLS_PORT); this HTTP side only reports health.',
      docs: new ApiDocs(),
    },
    readiness: { irc: async () => listening },
    readinessInfo: () => ({ connections: server.connectionCount }),
    metrics: connectionMetrics(server),
    routes: () => undefined,
  });
  return {
    app,
    server,
    guests,
    async start(host) {
      const ports = await server.listen(host);
      await feed.start();
      guests.start();
      listening = true;
      return ports;
    },
    async stop(reason) {
      listening = false;
      await guests.stop();
      await feed.stop();
      await server.shutdown(reason);
    },
  };
}

/** The HTTP app alone (the shape every service exports). */
export function createApp(deps: AppDeps): Express {
  return createIrcApp(deps).app;
}

/** Open IRC connections, for Prometheus. */
function connectionMetrics(server: IrcServer): ServiceMetrics {
  const metrics = new ServiceMetrics('irc-service');
  metrics.gauge('irc_open_connections', 'IRC client connections open (plain and TLS)', () => server.connectionCount);
  return metrics;
}
