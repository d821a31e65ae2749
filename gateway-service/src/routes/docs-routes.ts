import { Router } from 'express';
import swaggerUi from 'swagger-ui-express';
import { NotFoundError, ServiceUnavailableError } from '@canaduck/errors';
import type { ApiDocs } from '@canaduck/service-kit';
import { z } from 'zod';
import type { Clients } from '../clients';
import { PROXIED, type ProxiedName, resolveRoute } from '../routing/route-table';

const CACHE_MS = 30000;

/**
 * A service's document as seen through the gateway: only the paths the gateway routes to
 * it (no `/internal/...`, no service-local /health), and the gateway as the server, so
 * "Try it out" goes through the same JWT checks as any client.
 */
export function throughGateway(doc: Record<string, unknown>, service: ProxiedName): Record<string, unknown> {
  const paths = (doc.paths ?? {}) as Record<string, unknown>;
  const kept = Object.fromEntries(Object.entries(paths).filter(([p]) => resolveRoute(p)?.target === service));
  return { ...doc, paths: kept, servers: [{ url: '/', description: 'through the gateway' }] };
}

const documentSchema = z.record(z.unknown()).openapi({ description: 'an OpenAPI 3 document' });
const serviceParams = z.object({ service: z.enum(['gateway-service', ...PROXIED] as [string, ...string[]]) });

/**
 * The gateway's own document (`/openapi.json`), each service's document through the gateway
 * (`/docs/{service}/openapi.json`) and the Swagger UI with one entry per service (`/docs`, only
 * when `withUi`). `ownDoc` is read on each request: the document is built once every route is
 * described, after this router is made.
 */
export function docsRoutes(docs: ApiDocs, clients: Clients, ownDoc: () => Record<string, unknown>, withUi: boolean): Router {
  const router = Router();
  const cache = new Map<ProxiedName, { doc: Record<string, unknown>; at: number }>();

  docs.route({
    method: 'get',
    path: '/openapi.json',
    tags: ['gateway'],
    summary: "The gateway's own OpenAPI document (its own routes; each service has its own document under /docs)",
    responses: { 200: { description: 'OpenAPI 3 document', schema: documentSchema } },
  });
  router.get('/openapi.json', (_req, res) => {
    res.json(ownDoc());
  });
  if (!withUi) return router;

  docs.route({
    method: 'get',
    path: '/docs/:service/openapi.json',
    tags: ['gateway'],
    summary: "A service's OpenAPI document, fetched through the gateway (public routes only)",
    params: serviceParams,
    responses: {
      200: { description: 'OpenAPI 3 document with the gateway as server', schema: documentSchema },
      404: 'unknown service',
      503: 'the service cannot be reached',
    },
  });
  router.get('/docs/:service/openapi.json', async (req, res) => {
    const service = req.params.service;
    if (service === 'gateway-service') {
      res.json(ownDoc());
      return;
    }
    if (!PROXIED.includes(service as ProxiedName)) throw new NotFoundError(`no service named ${service}`, 'service_not_found');
    const name = service as ProxiedName;
    const cached = cache.get(name);
    if (cached && Date.now() - cached.at < CACHE_MS) {
      res.json(cached.doc);
      return;
    }
    const answer = await clients[name].get<Record<string, unknown>>('/openapi.json', { requestId: req.headers['x-request-id'] as string });
    if (answer.status !== 200 || typeof answer.data !== 'object' || answer.data === null) {
      throw new ServiceUnavailableError(`${name} did not provide its OpenAPI document (status ${answer.status})`, 'dependency_failed');
    }
    const doc = throughGateway(answer.data, name);
    cache.set(name, { doc, at: Date.now() });
    res.json(doc);
  });

  docs.route({
    method: 'get',
    path: '/docs',
    tags: ['gateway'],
    summary: 'Swagger UI with one entry per service (selector at the top)',
    responses: { 200: { description: 'HTML page', schema: z.string(), contentType: 'text/html' } },
  });
  const urls = ['gateway-service', ...PROXIED].map((name) => ({ url: `/docs/${name}/openapi.json`, name }));
  const options = { explorer: true, customSiteTitle: 'CanaDuck IRC API', swaggerOptions: { urls, 'urls.primaryName': 'gateway-service' } };
  router.use('/docs', swaggerUi.serveFiles(undefined, options), swaggerUi.setup(undefined, options));
  return router;
}
