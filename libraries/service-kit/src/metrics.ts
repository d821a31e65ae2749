import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Knex } from '@canaduck/db';

/** Labels of the request metrics: `route` is the pattern (`/msg/:id`), never the raw path. */
type RequestLabels = 'method' | 'route' | 'status';

/** Latency buckets in seconds: from a cached read to a request near its deadline. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * One service's Prometheus metrics, in a registry of its own: two apps in one process (tests)
 * never share or clash on a metric. Built by createServiceApp (or handed to it), it holds the
 * request count and latency, the database pool use when a knex is watched, Node's process
 * metrics, and whatever gauges the service adds with `gauge()` (open connections, event-stream
 * lag per consumer...).
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<RequestLabels>;
  private readonly latency: Histogram<RequestLabels>;

  constructor(readonly service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.latency = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: LATENCY_BUCKETS,
      registers: [this.registry],
    });
  }

  /** Counts one answered request. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.requests.inc(labels);
    this.latency.observe(labels, seconds);
  }

  /**
   * A gauge read at scrape time. `collect` returns one value, or one value per label set
   * (e.g. lag per consumer: `[{ labels: { consumer: 'stats' }, value: 3 }]`).
   */
  gauge<L extends string = never>(
    name: string,
    help: string,
    collect: () => number | Array<{ labels: Record<L, string>; value: number }>,
    labelNames: L[] = [],
  ): void {
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        const v = collect();
        if (typeof v === 'number') {
          this.set(v);
          return;
        }
        this.reset();
        for (const { labels, value } of v) this.set(labels as never, value);
      },
    });
  }

  /** Pool use of a knex (MySQL's connections; SQLite's one connection). */
  watchPool(knex: Knex, database = 'main'): void {
    const pool = () => (knex.client as { pool?: { numUsed(): number; numFree(): number; numPendingAcquires(): number; max: number } }).pool;
    const read = (f: (p: NonNullable<ReturnType<typeof pool>>) => number) => () => {
      const p = pool();
      return p ? [{ labels: { database }, value: f(p) }] : [];
    };
    this.gauge(
      'db_pool_connections_used',
      'Database connections in use',
      read((p) => p.numUsed()),
      ['database'],
    );
    this.gauge(
      'db_pool_connections_free',
      'Database connections open and idle',
      read((p) => p.numFree()),
      ['database'],
    );
    this.gauge(
      'db_pool_pending_acquires',
      'Queries waiting for a database connection',
      read((p) => p.numPendingAcquires()),
      ['database'],
    );
    this.gauge(
      'db_pool_connections_max',
      'Largest number of database connections',
      read((p) => p.max),
      ['database'],
    );
  }

  /** Express middleware counting every request once answered, by the pattern of the route that matched. */
  middleware(): RequestHandler {
    return (req, res, next) => {
      const start = process.hrtime.bigint();
      res.once('finish', () => {
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        // req.route is the matched route; baseUrl the router's mount path. No match: one label for all.
        const pattern = req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
        this.observeRequest(req.method, pattern, res.statusCode, seconds);
      });
      next();
    };
  }

  /** The Prometheus text exposition. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** The `/metrics` route handler. */
  handler(): RequestHandler {
    return async (_req, res, next) => {
      try {
        const { contentType, body } = await this.exposition();
        res.set('Content-Type', contentType).send(body);
      } catch (err) {
        next(err);
      }
    };
  }
}

/**
 * A listener serving only `GET /metrics`, on a port of its own: for a service whose main port
 * is public (the gateway), so that Prometheus reaches its metrics and the public never does.
 */
export async function startMetricsServer(
  metrics: ServiceMetrics,
  port: number,
  host = '0.0.0.0',
): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res
        .writeHead(404, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ error: 'only GET /metrics is served here', code: 'route_not_found' }));
      return;
    }
    metrics.exposition().then(
      ({ contentType, body }) => res.writeHead(200, { 'Content-Type': contentType }).end(body),
      () =>
        res
          .writeHead(500, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ error: 'internal server error', code: 'internal_error' })),
    );
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
