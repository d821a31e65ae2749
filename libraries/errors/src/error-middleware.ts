import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, ServiceUnavailableError, TooManyRequestsError } from './app-errors';

export interface ErrorBody {
  error: string;
  code: string;
  [key: string]: unknown;
}

export interface MinimalLogger {
  error(obj: unknown, msg?: string): void;
}

/** Connection-level failures of a database driver: the database is down, not our code. */
const DB_DOWN_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR',
  'SQLITE_BUSY',
  'ENOTFOUND',
]);

function isDatabaseDown(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: unknown; name?: unknown; fatal?: unknown };
  if (e.name === 'KnexTimeoutError') return true;
  return typeof e.code === 'string' && (DB_DOWN_CODES.has(e.code) || e.fatal === true);
}

/** Turns any thrown value into a status and a JSON body that never leaks internals. */
export function toErrorResponse(err: unknown): { status: number; body: ErrorBody; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  if (err instanceof AppError) {
    if ((err instanceof TooManyRequestsError || err instanceof ServiceUnavailableError) && err.retryAfterSeconds !== undefined) {
      headers['Retry-After'] = String(err.retryAfterSeconds);
    }
    return { status: err.status, body: { error: err.message, code: err.code, ...(err.details ?? {}) }, headers };
  }
  const e = (err ?? {}) as { type?: string; status?: number; statusCode?: number };
  // body-parser signals its failures with a `type`; map them to client errors.
  switch (e.type) {
    case 'entity.parse.failed':
      return { status: 400, body: { error: 'malformed JSON body', code: 'malformed_json' }, headers };
    case 'entity.too.large':
      return { status: 413, body: { error: 'request body too large', code: 'payload_too_large' }, headers };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return { status: 415, body: { error: 'unsupported body encoding', code: 'unsupported_encoding' }, headers };
    case 'request.aborted':
      return { status: 400, body: { error: 'request aborted', code: 'request_aborted' }, headers };
    default:
      break;
  }
  if (isDatabaseDown(err)) {
    return { status: 503, body: { error: 'database unavailable', code: 'database_unavailable' }, headers };
  }
  const status = e.status ?? e.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, body: { error: 'bad request', code: 'bad_request' }, headers };
  }
  return { status: 500, body: { error: 'internal server error', code: 'internal_error' }, headers };
}

/** The one error middleware of every service. Unknown errors are logged, never echoed. */
export function errorMiddleware(logger?: MinimalLogger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const { status, body, headers } = toErrorResponse(err);
    if (status >= 500) {
      const log = (req as { log?: MinimalLogger }).log ?? logger;
      log?.error({ err }, status === 500 ? 'unhandled error' : body.error);
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.status(status).set(headers).json(body);
  };
}

/** The last route of every app: an unknown path is a JSON 404. */
export function notFoundMiddleware(): RequestHandler {
  return (req, res) => {
    res.status(404).json({ error: `no route for ${req.method} ${req.path}`, code: 'route_not_found' });
  };
}
