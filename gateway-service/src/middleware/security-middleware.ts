import type { RequestHandler } from 'express';
import cors from 'cors';
import rateLimit from 'express-rate-limit';
import helmet from 'helmet';
import type { GatewayConfig } from '../config';

/**
 * Security headers. The API answers JSON only, so its CSP forbids everything; Swagger UI
 * under /docs needs its own scripts, inline styles and data: images. No
 * `upgrade-insecure-requests`: the local stack is plain HTTP.
 */
export function securityHeaders(): RequestHandler {
  const api = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    // A public API called from other origins (Hoppscotch web) with CORS.
    crossOriginResourcePolicy: { policy: 'cross-origin' },
  });
  const docs = helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: { 'upgrade-insecure-requests': null, 'img-src': ["'self'", 'data:', 'https:'] },
    },
  });
  return (req, res, next) => (req.url.startsWith('/docs') ? docs(req, res, next) : api(req, res, next));
}

/** CORS: `*` (no credentials) by default, else the listed origins. Preflights end here with 204. */
export function corsMiddleware(c: GatewayConfig): RequestHandler {
  const any = c.CORS_ORIGINS.length === 0 || c.CORS_ORIGINS.includes('*');
  return cors({
    origin: any ? '*' : c.CORS_ORIGINS,
    credentials: false,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
    exposedHeaders: ['X-Request-Id', 'Retry-After', 'RateLimit', 'RateLimit-Policy'],
    maxAge: 600,
  });
}

/**
 * Brute force on /login and enumeration through /register: a fixed window per client
 * address (req.ip, which honours TRUST_PROXY behind Traefik). One counter per route.
 */
export function authRateLimit(c: GatewayConfig, route: string): RequestHandler {
  return rateLimit({
    windowMs: c.RATE_LIMIT_WINDOW_MS,
    limit: c.RATE_LIMIT_MAX,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (req, res) => {
      const resetTime = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const seconds = resetTime
        ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000))
        : Math.ceil(c.RATE_LIMIT_WINDOW_MS / 1000);
      res
        .status(429)
        .set('Retry-After', String(seconds))
        .json({ error: `too many attempts on ${route}, retry in ${seconds} s`, code: 'rate_limited', retry_after: seconds });
    },
  });
}
