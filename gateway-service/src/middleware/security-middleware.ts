import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import cors from 'cors';
import helmet from 'helmet';
import type { Settings } from '../config';

/**
 * Security headers. The API answers JSON only: OWASP's REST set (a CSP that forbids everything
 * and framing, HSTS, nosniff, X-Frame-Options DENY) plus no-referrer and a cross-origin CORP.
 * The headers that only mean something to an HTML page (COOP, Origin-Agent-Cluster, DNS
 * prefetch, X-Download-Options, X-Permitted-Cross-Domain-Policies, X-XSS-Protection) go only on
 * /docs, whose Swagger UI needs its own scripts, inline styles and data: images: on every API
 * answer they cost the gateway and each client a parse for nothing (bench/findings.md). No
 * `upgrade-insecure-requests`: the local stack is plain HTTP.
 */
export function securityHeaders(): RequestHandler {
  const api = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    // A public API called from other origins (Hoppscotch web) with CORS.
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    xFrameOptions: { action: 'deny' },
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  });
  const docs = helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: { 'upgrade-insecure-requests': null, 'img-src': ["'self'", 'data:', 'https:'] },
    },
  });
  return (req, res, next) => (req.url.startsWith('/docs') ? docs(req, res, next) : api(req, res, next));
}

/** Whether every origin is allowed: then CORS headers do not depend on the request. */
export function corsAllowsAny(c: Pick<Settings, 'corsOrigins'>): boolean {
  return c.corsOrigins.length === 0 || c.corsOrigins.includes('*');
}

/** CORS: `*` (no credentials) by default, else the listed origins. Preflights end here with 204. */
export function corsMiddleware(c: Pick<Settings, 'corsOrigins'>): RequestHandler {
  const any = corsAllowsAny(c);
  return cors({
    origin: any ? '*' : c.corsOrigins,
    credentials: false,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
    exposedHeaders: ['X-Request-Id', 'Retry-After', 'RateLimit', 'RateLimit-Policy'],
    maxAge: 600,
  });
}

/**
 * The headers that header-only middlewares set on an answer, as (name, value, ...) pairs,
 * found by running them once on a recording response. Only for middlewares whose headers
 * do not depend on the request beyond its URL: helmet with fixed directives, CORS when it
 * allows any origin. The hot path adds these to each answer in one writeHead.
 */
export function recordHeaders(middlewares: RequestHandler[], url: string): string[] {
  const set = new Map<string, [string, string]>();
  const recorder = {
    setHeader(name: string, value: unknown) {
      set.set(name.toLowerCase(), [name, String(value)]);
      return recorder;
    },
    getHeader: (name: string) => set.get(name.toLowerCase())?.[1],
    removeHeader: (name: string) => void set.delete(name.toLowerCase()),
  };
  const req = { url, method: 'GET', headers: {} } as IncomingMessage;
  for (const mw of middlewares) {
    let passed = false;
    void mw(req as Parameters<RequestHandler>[0], recorder as unknown as Parameters<RequestHandler>[1], () => (passed = true));
    // A middleware that answers, or calls next later, is not header-only: refuse rather than guess.
    if (!passed) throw new Error('recordHeaders: a middleware did not pass the request on synchronously');
  }
  return [...set.values()].flat();
}
