import express, { type Express, type RequestHandler } from 'express';
import swaggerUi from 'swagger-ui-express';
import { errorMiddleware, notFoundMiddleware } from '@canaduck/errors';
import { accessLogMiddleware, requestIdMiddleware, type AccessLogMode, type Logger } from '@canaduck/logging';
import { pingDatabase, type Knex } from '@canaduck/db';
import { ApiDocs } from './api-docs';
import { ServiceMetrics } from './metrics';
import { currentProcessGuards, databaseGate, requestDeadline, type ServiceGuards } from './availability';

export type ReadinessCheck = () => Promise<boolean>;

export interface OpenApiOptions {
  /** Default: `CanaDuck IRC <name>`. */
  title?: string;
  version?: string;
  description?: string;
  /** The service's routes, described in code beside them (see docs/contributing.md); none when absent. */
  docs?: ApiDocs;
}

export interface ServiceAppOptions {
  name: string;
  logger: Logger;
  bodyLimit?: string;
  /** The OpenAPI document's title and routes; none: an empty document titled with the name. */
  openapi?: OpenApiOptions;
  /** Named checks behind /ready (database, required dependencies). */
  readiness?: Record<string, ReadinessCheck>;
  /** Extra facts added to the /ready body that do not decide readiness (e.g. a feed's state). */
  readinessInfo?: () => Record<string, unknown>;
  /** Request logging (ACCESS_LOG): `all` (default here; `true`), `errors` (answers >= 400), `off` (`false`). */
  accessLog?: AccessLogMode | boolean;
  /** Middlewares that run before the body parser (the gateway's proxy goes here). */
  beforeBody?: RequestHandler[];
  /** Database gate and per-request deadline; defaults to what runService set for the process. */
  guards?: ServiceGuards;
  /**
   * Prometheus metrics (GET /metrics): the service's own ServiceMetrics when it adds gauges
   * (open connections, event-stream lag), else one made here. Each app has its own registry.
   */
  metrics?: ServiceMetrics;
  /** The service's database: /ready checks that it answers (`checks.database`), and its pool use becomes metrics. */
  knex?: Knex;
  /**
   * `false`: no /metrics route on this app (a public port; serve `metricsOf(app)` with
   * startMetricsServer on a port of its own instead). Default true: services sit on the
   * internal network only, and the gateway never routes /metrics to them.
   */
  serveMetrics?: boolean;
  /** Mounts the service's own routes. */
  routes: (app: Express) => void;
}

/** The metrics of an app built by createServiceApp. */
export function metricsOf(app: Express): ServiceMetrics {
  return app.locals.metrics as ServiceMetrics;
}

/**
 * The Express app every service starts from: request ids, access logs, JSON
 * bodies with a size limit, /health, /ready, /metrics, /openapi.json, /docs, the
 * service's routes, then a JSON 404 and the one error middleware.
 */
export function createServiceApp(o: ServiceAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  // Services are reached through the gateway only, which sets X-Forwarded-For to the client address
  // it resolved: one hop is trusted, so req.ip (audit lines) is the real client, and a client's
  // own X-Forwarded-For never reaches further than the gateway's check.
  app.set('trust proxy', 1);
  app.use(requestIdMiddleware());
  const metrics = o.metrics ?? new ServiceMetrics(o.name);
  app.locals.metrics = metrics;
  if (o.knex) metrics.watchPool(o.knex);
  app.use(metrics.middleware());
  const guards = o.guards ?? currentProcessGuards();
  const wanted = o.accessLog ?? guards?.accessLog ?? 'all';
  const mode: AccessLogMode = wanted === false ? 'off' : wanted === true ? 'all' : wanted;
  const access = accessLogMiddleware(o.logger, mode);
  if (access) app.use(access);
  if (guards?.requestTimeoutMs) app.use(requestDeadline(guards.requestTimeoutMs));
  if (guards?.databaseUp) app.use(databaseGate(guards.databaseUp));
  for (const mw of o.beforeBody ?? []) app.use(mw);
  app.use(express.json({ limit: o.bodyLimit ?? '100kb', strict: false }));

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', service: o.name });
  });
  const knex = o.knex;
  const readiness = { ...(knex ? { database: () => pingDatabase(knex) } : {}), ...o.readiness };
  // The access log leaves probes out: a change of readiness after the first probe is logged here, once.
  let wasReady: boolean | undefined;
  app.get('/ready', async (_req, res) => {
    const entries = await Promise.all(Object.entries(readiness).map(async ([k, check]) => [k, await check().catch(() => false)] as const));
    const checks = Object.fromEntries(entries);
    const ready = entries.every(([, ok]) => ok);
    if (wasReady !== undefined && ready !== wasReady) {
      if (ready) o.logger.info({ checks }, 'ready again');
      else o.logger.warn({ checks }, 'not ready any more');
    }
    wasReady = ready;
    const info = o.readinessInfo?.() ?? {};
    if (ready) res.json({ status: 'ready', service: o.name, checks, ...info });
    else res.status(503).json({ error: `${o.name} is not ready`, code: 'not_ready', service: o.name, checks, ...info });
  });

  if (o.serveMetrics !== false) app.get('/metrics', metrics.handler());

  // The routes describe themselves as they are mounted, so the document is built once they all are.
  let doc: Record<string, unknown> | undefined;
  let ui: RequestHandler | undefined;
  const title = o.openapi?.title ?? `CanaDuck IRC ${o.name}`;
  const documentOf = () =>
    (doc ??= (o.openapi?.docs ?? new ApiDocs()).document({
      title,
      version: o.openapi?.version,
      description: o.openapi?.description ?? `${o.name} of CanaDuck IRC`,
    }));
  app.get('/openapi.json', (_req, res) => {
    res.json(documentOf());
  });
  app.use('/docs', swaggerUi.serve, ((req, res, next) => {
    ui ??= swaggerUi.setup(documentOf(), { customSiteTitle: title });
    ui(req, res, next);
  }) as RequestHandler);

  o.routes(app);
  app.use(notFoundMiddleware());
  app.use(errorMiddleware(o.logger));
  return app;
}
