import type { Express } from 'express';
import swaggerUi from 'swagger-ui-express';
import { NotFoundError, ServiceUnavailableError } from '@canaduck/errors';
import type { UpstreamClients } from '../clients/upstream-clients';
import { resolveRoute, UPSTREAMS, type UpstreamName } from '../routing/route-table';

const CACHE_MS = 30000;

/**
 * A service's document as seen through the gateway: only the paths the gateway routes to
 * it (no `/internal/...`, no service-local /health), and the gateway as the server, so
 * "Try it out" goes through the same JWT checks as any client.
 */
export function throughGateway(doc: Record<string, unknown>, service: UpstreamName): Record<string, unknown> {
  const paths = (doc.paths ?? {}) as Record<string, unknown>;
  const kept = Object.fromEntries(Object.entries(paths).filter(([p]) => resolveRoute(p)?.target === service));
  return { ...doc, paths: kept, servers: [{ url: '/', description: 'through the gateway' }] };
}

/**
 * @openapi
 * /openapi.json:
 *   get:
 *     tags: [gateway]
 *     summary: The gateway's own OpenAPI document (its own routes; each service has its own document under /docs)
 *     responses:
 *       200: { description: OpenAPI 3 document }
 * /docs/{service}/openapi.json:
 *   get:
 *     tags: [gateway]
 *     summary: A service's OpenAPI document, fetched through the gateway (public routes only)
 *     parameters:
 *       - in: path
 *         name: service
 *         required: true
 *         schema: { type: string, enum: [gateway-service, user-service, message-service, channel-service, stats-service] }
 *     responses:
 *       200: { description: OpenAPI 3 document with the gateway as server }
 *       404: { description: unknown service, content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
 *       503: { description: the service cannot be reached, content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
 * /docs:
 *   get:
 *     tags: [gateway]
 *     summary: Swagger UI with one entry per service (selector at the top)
 *     responses:
 *       200: { description: HTML page }
 */
export function docsRoutes(app: Express, clients: UpstreamClients, ownDoc: Record<string, unknown>): void {
  const cache = new Map<UpstreamName, { doc: Record<string, unknown>; at: number }>();

  app.get('/openapi.json', (_req, res) => {
    res.json(ownDoc);
  });

  app.get('/docs/:service/openapi.json', async (req, res) => {
    const service = req.params.service;
    if (service === 'gateway-service') {
      res.json(ownDoc);
      return;
    }
    if (!UPSTREAMS.includes(service as UpstreamName)) throw new NotFoundError(`no service named ${service}`, 'service_not_found');
    const name = service as UpstreamName;
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

  const urls = ['gateway-service', ...UPSTREAMS].map((name) => ({ url: `/docs/${name}/openapi.json`, name }));
  const options = { explorer: true, customSiteTitle: 'CanaDuck IRC API', swaggerOptions: { urls, 'urls.primaryName': 'gateway-service' } };
  app.use('/docs', swaggerUi.serveFiles(undefined, options), swaggerUi.setup(undefined, options));
}
