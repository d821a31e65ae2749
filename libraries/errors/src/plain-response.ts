import type { ServerResponse } from 'node:http';
import { type MinimalLogger, toErrorResponse } from './error-middleware';

/*
 * Answers written on Node's own response, for code that runs ahead of Express (a service's hot
 * path, the gateway's proxy, the request deadline). They write what Express's
 * `res.status(s).set(h).json(body)` writes in our apps (no ETag, no X-Powered-By): the same
 * status, the same headers in the same order, the same body.
 */

/** `res.status(status).set(headers).json(body)`; the text is written as a string (Express copies it into a Buffer first). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  if (headers) for (const name in headers) res.setHeader(name, headers[name]);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/** What errorMiddleware answers for `err`, logging server-side failures the same way. */
export function sendError(res: ServerResponse, err: unknown, logger?: MinimalLogger): void {
  const { status, body, headers } = toErrorResponse(err);
  if (status >= 500) logger?.error({ err }, status === 500 ? 'unhandled error' : body.error);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status, body, headers);
}
