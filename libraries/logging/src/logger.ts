import { randomUUID } from 'node:crypto';
import pino, { type Logger } from 'pino';
import pinoHttp from 'pino-http';
import type { RequestHandler } from 'express';

export type { Logger };

export const REQUEST_ID_HEADER = 'x-request-id';
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token'], censor: '[redacted]' },
  });
}

/**
 * Takes the caller's X-Request-Id when it is sane (it ends up in logs and
 * headers, so anything odd is replaced), or makes one, and echoes it back.
 */
export function requestIdMiddleware(): RequestHandler {
  return (req, res, next) => {
    const incoming = req.headers[REQUEST_ID_HEADER];
    const id = typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    req.headers[REQUEST_ID_HEADER] = id;
    res.setHeader('X-Request-Id', id);
    next();
  };
}

/** One access-log line per request, carrying the request id; health probes stay quiet. */
export function httpLogger(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: (req) => String(req.headers[REQUEST_ID_HEADER] ?? randomUUID()),
    autoLogging: { ignore: (req) => isProbe(req.url) },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  }) as unknown as RequestHandler;
}

/**
 * How much a service logs about requests: `all` one line per request (pino-http), `errors` one
 * line per answer of 400 or more (a listener on `finish`, nothing else on the hot path: the
 * per-request child logger and line of `all` cost a busy service measurable CPU, bench/findings.md),
 * `off` none.
 */
export type AccessLogMode = 'all' | 'errors' | 'off';

export const ACCESS_LOG_MODES: readonly AccessLogMode[] = ['all', 'errors', 'off'];

/**
 * Health and readiness probes answer every few seconds, and a 503 from /ready is the expected
 * answer while a service warms up or a dependency is down: logged, they would bury the real
 * failures (whatever made /ready fail logs its own line).
 */
function isProbe(url: string | undefined): boolean {
  return url === '/health' || url === '/ready';
}

function logFailedAnswers(logger: Logger): RequestHandler {
  return (req, res, next) => {
    if (isProbe(req.url)) return next();
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const status = res.statusCode;
      if (status < 400) return;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const line = {
        req: { id: req.headers[REQUEST_ID_HEADER], method: req.method, url: req.originalUrl ?? req.url },
        res: { statusCode: status },
        responseTime: Math.round(ms),
      };
      if (status >= 500) logger.error(line, 'request failed');
      else logger.warn(line, 'request refused');
    });
    next();
  };
}

/** The access-log middleware for a mode, or null for `off`. */
export function accessLogMiddleware(logger: Logger, mode: AccessLogMode): RequestHandler | null {
  if (mode === 'off') return null;
  return mode === 'all' ? httpLogger(logger) : logFailedAnswers(logger);
}

/** Security events (failed logins, role changes, bans, deletions) as structured `audit` lines. */
export function audit(logger: Logger, event: string, fields: Record<string, unknown>): void {
  logger.info({ audit: true, event, ...fields }, `audit: ${event}`);
}
