import type { RequestListener } from 'node:http';
import path from 'node:path';
import express, { type Express } from 'express';
import { type ServiceTokenMinter, TokenVerifier, type TokenSettings } from '@canaduck/auth';
import { errorMiddleware, notFoundMiddleware } from '@canaduck/errors';
import { httpLogger, requestIdMiddleware, type Logger } from '@canaduck/logging';
import { ServiceMetrics, buildOpenApiDocument } from '@canaduck/service-kit';
import { createUpstreamClients, upstreamUrls } from './clients/upstream-clients';
import type { GatewayConfig } from './config';
import { ActivityTracker } from './domain/activity-tracker';
import { frontHandler, gatewayMiddleware, type GatewayCore } from './middleware/gateway-middleware';
import { countedHandler } from './middleware/request-metrics';
import { authRateLimit, corsAllowsAny, corsMiddleware, recordHeaders, securityHeaders } from './middleware/security-middleware';
import { createUpstreamProxy, type UpstreamProxy } from './proxy/upstream-proxy';
import { docsRoutes } from './routes/docs-routes';
import { fullinfoRoutes } from './routes/fullinfo-routes';
import { healthRoutes } from './routes/health-routes';
import { UPSTREAMS, type UpstreamName } from './routing/route-table';

export interface AppDeps {
  logger: Logger;
  tokens: TokenSettings;
  config: GatewayConfig;
  /** Mints the gateway's service token for `POST /internal/activity`. */
  serviceTokens: ServiceTokenMinter;
}

export interface Gateway {
  /** Complete by itself: every route, every check. */
  app: Express;
  /** What the server runs: a fast path for proxied requests in front of `app`. */
  handler: RequestListener;
  activity: ActivityTracker;
  /**
   * Request counts and latency by route. Never answered on the public port (the routing table
   * has no `/metrics`): main.ts serves them on METRICS_PORT, a port Traefik does not route.
   */
  metrics: ServiceMetrics;
  /** Flushes the last activity batch, closes sockets and timers. */
  shutdown(): Promise<void>;
}

/**
 * Builds the gateway. Order matters: request id, security headers, CORS (preflights end
 * there), rate limits, then the routing middleware that streams proxied routes before any
 * body parser could touch them; only the gateway's own routes go further.
 */
export function createGateway(deps: AppDeps): Gateway {
  const c = deps.config;
  const urls = upstreamUrls(c);
  const clients = createUpstreamClients(c, deps.serviceTokens);
  const activity = new ActivityTracker({ userService: clients['user-service'], flushMs: c.ACTIVITY_FLUSH_MS, logger: deps.logger });
  const proxies = Object.fromEntries(
    UPSTREAMS.map((name) => [
      name,
      createUpstreamProxy({
        name,
        target: urls[name],
        timeoutMs: c.UPSTREAM_TIMEOUT_MS,
        maxSockets: c.PROXY_MAX_SOCKETS,
        logger: deps.logger,
      }),
    ]),
  ) as Record<UpstreamName, UpstreamProxy>;

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.set('trust proxy', c.TRUST_PROXY);

  const core: GatewayCore = { proxies, verifier: new TokenVerifier(deps.tokens, c.TOKEN_CACHE_SIZE), activity };
  const requestId = requestIdMiddleware();
  const security = securityHeaders();
  const cors = corsMiddleware(c);
  app.use(requestId);
  if (c.ACCESS_LOG === 'all') app.use(httpLogger(deps.logger));
  app.use(security, cors);
  app.post('/login', authRateLimit(c, '/login'));
  app.post('/register', authRateLimit(c, '/register'));
  app.use(gatewayMiddleware(core));

  // Only the gateway's own routes below: none of them reads a body.
  const ownDoc = buildOpenApiDocument('gateway-service', {
    title: 'CanaDuck IRC gateway-service',
    description: 'The single public entry of CanaDuck IRC: routing, JWT checks, /fullinfo, aggregated docs',
    apis: [path.join(__dirname, 'routes', '*.{ts,js}')],
  });
  healthRoutes(app, urls, c.READY_TIMEOUT_MS);
  fullinfoRoutes(app, clients, c.FULLINFO_MESSAGES);
  if (c.DOCS_ENABLED) docsRoutes(app, clients, ownDoc);
  else app.get('/openapi.json', (_req, res) => void res.json(ownDoc));
  app.use(notFoundMiddleware());
  app.use(errorMiddleware(c.ACCESS_LOG === 'off' ? undefined : deps.logger));

  activity.start();
  const metrics = new ServiceMetrics('gateway-service');
  return {
    app,
    metrics,
    // With one access-log line per request wanted, everything goes through Express (and its logger).
    handler: countedHandler(
      metrics,
      c.ACCESS_LOG === 'all'
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
    activity,
    async shutdown() {
      await activity.stop();
      for (const p of Object.values(proxies)) p.close();
      for (const client of Object.values(clients)) client.close();
    },
  };
}

/** The gateway's Express app (tests that need the activity tracker use createGateway). */
export function createApp(deps: AppDeps): Express {
  return createGateway(deps).app;
}
