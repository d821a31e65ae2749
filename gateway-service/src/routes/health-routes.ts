import { Router } from 'express';
import { z } from 'zod';
import type { ApiDocs } from '@canaduck/service-kit';
import { UPSTREAMS, type UpstreamName } from '../routing/route-table';

async function answers(baseUrl: string, timeoutMs: number): Promise<boolean> {
  try {
    const res = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** A service with replicas is up while one of them answers. */
async function anyAnswers(baseUrls: string[], timeoutMs: number): Promise<boolean> {
  const results = await Promise.all(baseUrls.map((u) => answers(u, timeoutMs)));
  return results.includes(true);
}

const checksSchema = z.record(z.boolean()).openapi({
  example: { 'user-service': true, 'message-service': true, 'channel-service': true, 'stats-service': true },
});

/** Liveness (`/health`) and readiness (`/ready`: every service behind the gateway answers its /health quickly). */
export function healthRoutes(docs: ApiDocs, urls: Record<UpstreamName, string[]>, timeoutMs: number): Router {
  const router = Router();
  docs.route({
    method: 'get',
    path: '/health',
    tags: ['gateway'],
    summary: 'The gateway process is up (liveness)',
    responses: {
      200: { description: 'up', schema: z.object({ status: z.literal('ok'), service: z.literal('gateway-service') }) },
    },
  });
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok', service: 'gateway-service' });
  });

  docs.route({
    method: 'get',
    path: '/ready',
    tags: ['gateway'],
    summary: 'Every service behind the gateway answers its /health quickly (readiness)',
    responses: {
      200: {
        description: 'all four services answer',
        schema: z.object({ status: z.literal('ready'), service: z.literal('gateway-service'), checks: checksSchema }),
      },
      503: {
        description: 'some service is down; `down` names them',
        schema: z.object({
          error: z.string().openapi({ example: 'gateway-service is not ready: stats-service down' }),
          code: z.literal('not_ready'),
          service: z.literal('gateway-service'),
          down: z.array(z.string()),
          checks: checksSchema,
        }),
      },
    },
  });
  router.get('/ready', async (_req, res) => {
    const results = await Promise.all(UPSTREAMS.map(async (name) => [name, await anyAnswers(urls[name], timeoutMs)] as const));
    const checks = Object.fromEntries(results);
    const down = results.filter(([, ok]) => !ok).map(([name]) => name);
    if (down.length === 0) {
      res.json({ status: 'ready', service: 'gateway-service', checks });
      return;
    }
    res.status(503).json({
      error: `gateway-service is not ready: ${down.join(', ')} down`,
      code: 'not_ready',
      service: 'gateway-service',
      down,
      checks,
    });
  });
  return router;
}
