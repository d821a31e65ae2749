import type { IncomingMessage, RequestListener } from 'node:http';
import querystring from 'node:querystring';
import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import { authenticate, requireAuth, type TokenSettings } from '@canaduck/auth';
import { sendError, sendJson } from '@canaduck/errors';
import { accessLogMiddleware, type Logger, requestIdMiddleware } from '@canaduck/logging';
import { currentProcessGuards, type ServiceGuards, watchDeadline } from '@canaduck/service-kit';
import type { MessageService } from '../domain/message-service';
import { readChannelPage } from './message-routes';

export interface ChannelPageOptions {
  /** The full Express app: every request the fast path does not take. */
  app: Express;
  messages: MessageService;
  tokens: TokenSettings;
  logger: Logger;
  /** Defaults to what runService set for the process, as createServiceApp does. */
  guards?: ServiceGuards;
}

/**
 * Characters that make Express parse the URL with url.parse instead of splitting it at `?`
 * (parseurl's fast path): such a request goes to Express, which reads its query its own way.
 */
const UNUSUAL_URL = /[\t\n\f\r #\u00a0\ufeff]/;

/**
 * The requests the fast path takes: `GET /msg` exactly as Express routes it to the channel page,
 * without a body (Express's JSON parser could refuse one) and without conditional headers (Express
 * may answer those with a 304).
 */
function isChannelPage(req: IncomingMessage): boolean {
  if (req.method !== 'GET') return false;
  const url = req.url ?? '';
  if (!url.startsWith('/msg') || (url.length > 4 && url.charCodeAt(4) !== 0x3f) /* ? */ || UNUSUAL_URL.test(url)) return false;
  const h = req.headers;
  return (
    h['content-length'] === undefined &&
    h['transfer-encoding'] === undefined &&
    h['if-none-match'] === undefined &&
    h['if-modified-since'] === undefined
  );
}

function noop(): void {}

/**
 * GET /msg (a channel's page, the hottest read) in front of Express. Express walks every layer
 * before the route for each request (probes, docs, internal routes, the body parser...) and
 * copies the JSON text into a Buffer; before service-kit created requests with the app's
 * prototypes it also swapped them per request. Here the same steps run in the same order (request
 * id, access log, deadline, database gate, token, then the route's own code) and the answers,
 * errors included, are those Express would write (test/channel-page-handler.test.ts compares
 * them). Everything else goes to Express.
 */
export function channelPageHandler(o: ChannelPageOptions): RequestListener {
  const { app, messages, logger } = o;
  const guards = o.guards ?? currentProcessGuards();
  const mode = guards?.accessLog ?? 'all';
  // With one access-log line per request wanted, everything goes through Express (and its logger).
  if (mode === 'all') return app;
  // These middlewares only read headers and set headers or listeners: they run on plain objects.
  const before: RequestHandler[] = [requestIdMiddleware()];
  const access = accessLogMiddleware(logger, mode);
  if (access) before.push(access);
  const deadlineMs = guards?.requestTimeoutMs;
  const databaseUp = guards?.databaseUp;
  const authenticated = authenticate(o.tokens);
  const authorized = requireAuth();
  // authenticate answers a cached token at once and checks a new one asynchronously (jose): either
  // way it calls next or fails, and requireAuth then wants a caller.
  const authorize = (r: Request, s: Response) =>
    new Promise<void>((resolve, reject) => {
      const pending: unknown = authenticated(r, s, (err?: unknown) => (err ? reject(err) : resolve()));
      if (pending instanceof Promise) pending.catch(reject);
    }).then(() => void authorized(r, s, noop as NextFunction));

  return (req, res) => {
    if (!isChannelPage(req)) return void app(req, res);
    const r = req as Request;
    const s = res as unknown as Response;
    for (const mw of before) void mw(r, s, noop);
    if (deadlineMs) watchDeadline(res, deadlineMs);
    if (databaseUp && !databaseUp()) return sendJson(res, 503, { error: 'database unavailable', code: 'database_unavailable' });
    const fail = (err: unknown) => sendError(res, err, logger);
    try {
      // Express's JSON parser would pass here: no body (see isChannelPage).
      const url = req.url as string;
      const q = url.indexOf('?');
      // Express's "simple" query parser is querystring.parse, given '' when there is no query.
      const query = querystring.parse(q < 0 ? '' : url.slice(q + 1));
      // As Express does for an async route: a failure while answering is answered as an error too.
      authorize(r, s)
        .then(() => readChannelPage(messages, r, query))
        .then((page) => sendJson(res, 200, page))
        .catch(fail);
    } catch (err) {
      fail(err);
    }
  };
}
