import type { Express } from 'express';
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

/**
 * @openapi
 * /health:
 *   get:
 *     tags: [gateway]
 *     summary: The gateway process is up (liveness)
 *     responses:
 *       200: { description: up, content: { application/json: { example: { status: ok, service: gateway-service } } } }
 * /ready:
 *   get:
 *     tags: [gateway]
 *     summary: Every service behind the gateway answers its /health quickly (readiness)
 *     responses:
 *       200:
 *         description: all four services answer
 *         content: { application/json: { example: { status: ready, service: gateway-service, checks: { user-service: true, message-service: true, channel-service: true, stats-service: true } } } }
 *       503:
 *         description: some service is down; `down` names them
 *         content: { application/json: { example: { error: 'gateway-service is not ready: stats-service down', code: not_ready, service: gateway-service, down: [stats-service], checks: { user-service: true, message-service: true, channel-service: true, stats-service: false } } } }
 */
export function healthRoutes(app: Express, urls: Record<UpstreamName, string>, timeoutMs: number): void {
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', service: 'gateway-service' });
  });
  app.get('/ready', async (_req, res) => {
    const results = await Promise.all(UPSTREAMS.map(async (name) => [name, await answers(urls[name], timeoutMs)] as const));
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
}
