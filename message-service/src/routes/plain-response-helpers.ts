import type { IncomingMessage, ServerResponse } from 'node:http';
import { toErrorResponse } from '@canaduck/errors';
import type { Logger } from '@canaduck/logging';

/*
 * Answers written on Node's own request and response, for the fast path in front of Express
 * (channel-page-handler.ts). They write what Express's `res.status(s).set(h).json(body)` writes:
 * the same status, the same headers in the same order, the same body. Giving req and res Express's
 * prototypes (what Express does for every request) cost about a fifth of the page's CPU.
 */

/** `res.json(body)`: the JSON text is written as a string (Express copies it into a Buffer first). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  if (headers) for (const name in headers) res.setHeader(name, headers[name]);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/** What @canaduck/errors' errorMiddleware answers for `err`, logging server-side failures the same way. */
export function sendError(res: ServerResponse, err: unknown, logger: Logger): void {
  const { status, body, headers } = toErrorResponse(err);
  if (status >= 500) logger.error({ err }, status === 500 ? 'unhandled error' : body.error);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status, body, headers);
}

/** Makes every later write to `res` a no-op: its answer has already been given. */
function seal(res: ServerResponse): void {
  const r = res as unknown as Record<string, unknown>;
  r.setHeader = () => res;
  r.writeHead = () => res;
  r.write = () => true;
  r.end = () => res;
  r.destroy = () => res;
}

const DEADLINE = Symbol('deadline');
type Watched = ServerResponse & { [DEADLINE]?: NodeJS.Timeout };

// Shared listeners (`this` is the response): no closure per request.
function clearDeadline(this: Watched): void {
  clearTimeout(this[DEADLINE]);
}

/**
 * service-kit's requestDeadline on a plain response: `503 { code: "request_timeout" }` with
 * `Connection: close` when the answer has not started within `ms`; later writes are ignored.
 */
export function watchDeadline(_req: IncomingMessage, res: ServerResponse, ms: number): void {
  const timer = setTimeout(() => {
    if (res.headersSent || res.writableEnded) return;
    res.setHeader('Connection', 'close');
    sendJson(res, 503, { error: `no answer within ${ms} ms`, code: 'request_timeout' });
    seal(res);
  }, ms);
  timer.unref();
  (res as Watched)[DEADLINE] = timer;
  res.once('finish', clearDeadline);
  res.once('close', clearDeadline);
}
