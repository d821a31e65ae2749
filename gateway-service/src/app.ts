import type { IncomingMessage, RequestListener } from 'node:http';
import type { Duplex } from 'node:stream';
import express, { type Express } from 'express';
import proxyaddr from 'proxy-addr';
import { TokenVerifier, type TokenRevocation, type TokenSettings } from '@canaduck/auth';
import { errorMiddleware, notFoundMiddleware } from '@canaduck/errors';
import { createTokenRevocation } from '@canaduck/events';
import { httpLogger, requestIdMiddleware, type Logger } from '@canaduck/logging';
import { ApiDocs, ServiceMetrics } from '@canaduck/service-kit';
import type { Clients } from './clients';
import type { Settings } from './config';
import { ActivityTracker } from './domain/activity-tracker';
import { frontHandler, gatewayMiddleware, type GatewayCore, upgradeHandler } from './middleware/gateway-middleware';
import { countedHandler } from './middleware/request-metrics';
import { AuthRateLimiter } from './middleware/auth-rate-limit';
import { corsAllowsAny, corsMiddleware, recordHeaders, securityHeaders } from './middleware/security-middleware';
import { createUpgradeProxy } from './proxy/upgrade-proxy';
import { createUpstreamProxy, type UpstreamProxy } from './proxy/upstream-proxy';
import { docsRoutes } from './routes/docs-routes';
import { fullinfoRoutes } from './routes/fullinfo-routes';
import { healthRoutes } from './routes/health-routes';
import { type ProxiedName, UPSTREAMS } from './routing/route-table';

/** `GET /events/poll?wait=` is at most 30 s (structures.md section 7): its answer may come that late. */
const LONGEST_POLL_MS = 30_000;

export interface AppDeps {
  logger: Logger;
  tokens: TokenSettings;
  settings: Settings;
  /** The composed calls' clients (createClients); closed by their owner, main.ts or the test. */
  clients: Clients;
}

export interface Gateway {
  /** Complete by itself: every route, every check. */
  app: Express;
  /** What the server runs: a fast path for proxied requests in front of `app`. */
  handler: RequestListener;
  /** The server's `upgrade` event: `GET /ws` checked, then tunnelled to realtime-service. */
  upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /**
   * On a signal, before draining: cuts the event streams and WebSocket tunnels, which would
   * otherwise hold the shutdown open; their clients resume from their cursor elsewhere.
   */
  onSignal(): void;
  activity: ActivityTracker;
  /**
   * Request counts and latency by route. Never answered on the public port (the routing table
   * has no `/metrics`): main.ts serves them on METRICS_PORT, a port Traefik does not route.
   */
  metrics: ServiceMetrics;
  /** The token revocation map (user stream): main.ts starts it; shutdown() stops it. */
  revocation: TokenRevocation;
  /** Flushes the last activity batch, closes the proxies' sockets and timers (not the clients: their owner's). */
  shutdown(): Promise<void>;
}

/**
 * Builds the gateway. Order matters: request id, security headers, CORS (preflights end
 * there), rate limits, then the routing middleware that streams proxied routes before any
 * body parser could touch them; only the gateway's own routes go further. The server runs
 * `handler` (see Gateway); `app` alone is complete (tests, `ACCESS_LOG=all`).
 */
export function createGateway(deps: AppDeps): Gateway {
  const { settings: c, clients } = deps;
  const urls = c.upstreamUrls;
  const activity = new ActivityTracker({ userService: clients['user-service'], flushMs: c.activityFlushMs, logger: deps.logger });
  // The client address as Express resolves req.ip (TRUST_PROXY), for raw requests of the hot path too.
  const trusted = compileTrust(c.trustProxy);
  const clientAddress = (req: IncomingMessage) => proxyaddr(req, trusted);
  const proxies = {
    ...Object.fromEntries(
      UPSTREAMS.map((name) => [
        name,
        createUpstreamProxy({
          name,
          target: urls[name],
          timeoutMs: c.upstreamTimeoutMs,
          maxSockets: c.proxyMaxSockets,
          logger: deps.logger,
          clientAddress,
        }),
      ]),
    ),
    // Event streams: each holds its socket for its whole life (no bound, or streams would queue),
    // stays silent between heartbeats (no body timeout) and a long poll answers only after its wait.
    'realtime-service': createUpstreamProxy({
      name: 'realtime-service',
      target: urls['realtime-service'],
      timeoutMs: c.upstreamTimeoutMs,
      headersTimeoutMs: c.upstreamTimeoutMs + LONGEST_POLL_MS,
      bodyTimeoutMs: 0,
      maxSockets: null,
      trackOpen: true,
      logger: deps.logger,
      clientAddress,
    }),
  } as Record<ProxiedName, UpstreamProxy>;
  const tunnels = createUpgradeProxy({
    name: 'realtime-service',
    target: urls['realtime-service'],
    timeoutMs: c.upstreamTimeoutMs,
    logger: deps.logger,
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.set('trust proxy', c.trustProxy);

  // Tokens revoked by user events (logout, password or role change, deletion) are refused here already.
  const revocation = createTokenRevocation({ transport: clients.userEvents, lookup: clients.tokenStates, logger: deps.logger });
  const core: GatewayCore = { proxies, verifier: new TokenVerifier(deps.tokens, c.tokenCacheSize), revocation, activity };
  const requestId = requestIdMiddleware();
  const security = securityHeaders();
  const cors = corsMiddleware(c);
  app.use(requestId);
  if (c.accessLog === 'all') app.use(httpLogger(deps.logger));
  app.use(security, cors);
  const authLimits = new AuthRateLimiter(c, clients.redis);
  app.post('/login', authLimits.middleware('/login'));
  app.post('/register', authLimits.middleware('/register'));
  app.use(gatewayMiddleware(core));

  // Only the gateway's own routes below: none of them reads a body. Their document is built once
  // every route is described (on the first request for it).
  const docs = new ApiDocs();
  let ownDoc: Record<string, unknown> | undefined;
  const document = () =>
    (ownDoc ??= docs.document({
      title: 'CanaDuck IRC gateway-service',
      description: 'The single public entry of CanaDuck IRC: routing, JWT checks, /fullinfo, aggregated docs',
    }));
  app.use(healthRoutes(docs, urls, c.readyTimeoutMs));
  app.use(fullinfoRoutes(docs, clients, c.fullinfoMessages));
  app.use(docsRoutes(docs, clients, document, c.docsEnabled));
  app.use(notFoundMiddleware());
  app.use(errorMiddleware(c.accessLog === 'off' ? undefined : deps.logger));

  activity.start();
  const metrics = new ServiceMetrics('gateway-service');
  return {
    app,
    metrics,
    // With one access-log line per request wanted, everything goes through Express (and its logger).
    handler: countedHandler(
      metrics,
      c.accessLog === 'all'
        ? app
        : frontHandler({
            core,
            app,
            requestId,
            // Proxied paths are never under /docs: they get the API's security headers.
            fixedHeaders: recordHeaders(corsAllowsAny(c) ? [security, cors] : [security], '/'),
            cors: corsAllowsAny(c) ? undefined : cors,
          }),
    ),
    upgrade: upgradeHandler(core, tunnels),
    onSignal() {
      proxies['realtime-service'].cutOpen();
      tunnels.cutOpen();
    },
    activity,
    revocation,
    async shutdown() {
      await revocation.stop();
      await activity.stop();
      tunnels.cutOpen();
      for (const p of Object.values(proxies)) p.close();
    },
  };
}

/** The gateway's Express app (tests that need the activity tracker use createGateway). */
export function createApp(deps: AppDeps): Express {
  return createGateway(deps).app;
}

/** TRUST_PROXY as Express reads `trust proxy`: a boolean, a hop count, or addresses and subnets. */
function compileTrust(value: boolean | number | string): (addr: string, i: number) => boolean {
  if (value === true) return () => true;
  if (value === false) return () => false;
  if (typeof value === 'number') return (_addr, i) => i < value;
  return proxyaddr.compile(value.split(',').map((v) => v.trim()));
}
