import type { RequestListener } from 'node:http';
import type { ServiceMetrics } from '@canaduck/service-kit';
import { pathOf, resolveRoute } from '../routing/route-table';

/**
 * The route label of a request: its routing-table entry (`/msg`, `/msg/*`), never the raw path
 * (one series per message id would swamp Prometheus); anything not routed is `unmatched`.
 */
export function routeLabel(url: string | undefined): string {
  const route = resolveRoute(pathOf(url ?? ''));
  if (!route) return 'unmatched';
  const exact = route.path === `/${route.segment}` || route.path === `/${route.segment}/`;
  return exact ? `/${route.segment}` : `/${route.segment}/*`;
}

/**
 * Counts every request the gateway answers, on both of its paths (the fast proxy path and
 * Express), by wrapping what the server runs.
 */
export function countedHandler(metrics: ServiceMetrics, inner: RequestListener): RequestListener {
  return (req, res) => {
    const start = process.hrtime.bigint();
    res.once('finish', () => {
      metrics.observeRequest(req.method ?? 'GET', routeLabel(req.url), res.statusCode, Number(process.hrtime.bigint() - start) / 1e9);
    });
    inner(req, res);
  };
}
