import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import { type Dispatcher, Pool } from 'undici';
import type { Logger } from '@canaduck/logging';
import { ProxyExchange } from './proxy-exchange';
import { hasBody, outgoingHeaders } from './request-headers';

export interface UpstreamProxyOptions {
  /** The service's name, used in error bodies ("message-service unavailable"). */
  name: string;
  target: string;
  timeoutMs: number;
  maxSockets: number;
  logger: Logger;
}

export interface UpstreamProxy {
  readonly name: string;
  /**
   * Streams the request to the upstream and its answer back; never throws, never hangs.
   * `headers` (name, value, name, value...): what the gateway adds to the answer, as its
   * middleware would have; a header of the same name from the upstream wins.
   */
  web(req: IncomingMessage, res: ServerResponse, headers?: readonly string[]): void;
  close(): void;
}

const RETRIED = Symbol('retried');
type Tracked = IncomingMessage & { [RETRIED]?: boolean };

/**
 * The socket closed or was reset before any answer: on a kept-alive socket the upstream closed
 * just as it was reused, the request never reached the service. (undici says `UND_ERR_SOCKET`,
 * "other side closed", or passes the socket's own code on.)
 */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);
/** No status line within the timeout, or no body byte for as long: the upstream is too slow. */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** As the pool's idle sockets: dropped before the upstream's own keep-alive timeout (65 s) can race us. */
const IDLE_MS = 30000;

/**
 * The request body as undici reads it: through a PassThrough, because undici destroys the stream
 * it was given once done or failed, and destroying the client's request would cut the client's
 * connection before it gets its 503.
 */
function bodyOf(req: IncomingMessage): PassThrough {
  return req.pipe(new PassThrough());
}

function sendError(res: ServerResponse, status: number, body: { error: string; code: string }): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.setHeader('Cache-Control', 'no-store');
  res.end(text);
}

/**
 * One streaming proxy per upstream, over an undici Pool of keep-alive sockets. Bodies are
 * streamed in both directions with backpressure, never parsed or buffered. Failures become
 * JSON: 503 when the service cannot be reached, 504 when it does not answer in time; a failure
 * after the answer started (headers sent) can only cut the connection, which the client sees
 * at once. The request target goes upstream exactly as the client sent it.
 */
export function createUpstreamProxy(o: UpstreamProxyOptions): UpstreamProxy {
  const pool = new Pool(o.target, {
    connections: o.maxSockets,
    // "No answer within the timeout": for the status line and headers, then between body chunks
    // (undici does not count the time a slow client keeps the body paused).
    headersTimeout: o.timeoutMs,
    bodyTimeout: o.timeoutMs,
    connectTimeout: o.timeoutMs,
    keepAliveTimeout: IDLE_MS,
    keepAliveMaxTimeout: IDLE_MS,
  });
  // A refused or failed connection also fails the request that wanted it: nothing else to do here.
  pool.on('connectionError', () => undefined);
  const unavailable = { error: `${o.name} unavailable`, code: 'service_unavailable' };
  const timedOut = { error: `${o.name} did not answer within ${o.timeoutMs} ms`, code: 'upstream_timeout' };

  /**
   * Every failure ends here. A reset before any answer means the request never reached the
   * service (a kept-alive socket the upstream closed as it was reused): a GET or HEAD without a
   * body is sent again, once; anything else gets its 503.
   */
  function fail(err: Error, req: Tracked, res: ServerResponse, retry: () => void): void {
    const code = (err as { code?: string }).code ?? '';
    const timeout = TIMEOUT_CODES.has(code);
    // Whether the client can still be answered (`req.socket` is unset once undici is done with the body).
    const clientGone = res.destroyed || res.socket?.destroyed === true;
    const gone = res.headersSent || clientGone;
    const safe = (req.method === 'GET' || req.method === 'HEAD') && !hasBody(req);
    if (!gone && safe && req[RETRIED] !== true && RESET_CODES.has(code)) {
      req[RETRIED] = true;
      retry();
      return;
    }
    if (gone) {
      if (timeout || !clientGone) o.logger.warn({ upstream: o.name, err: err.message, url: req.url }, 'upstream failed mid-answer');
      res.destroy();
      return;
    }
    o.logger.warn(
      { upstream: o.name, err: err.message, code, url: req.url, reqId: req.headers['x-request-id'] },
      timeout ? 'upstream timeout' : 'upstream unavailable',
    );
    sendError(res, timeout ? 504 : 503, timeout ? timedOut : unavailable);
  }

  function dispatch(req: Tracked, res: ServerResponse, own: readonly string[] | undefined): void {
    const retry = () => dispatch(req, res, own);
    const exchange = new ProxyExchange(req, res, own, fail, retry);
    try {
      pool.dispatch(
        {
          path: req.url ?? '/',
          method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
          headers: outgoingHeaders(req),
          body: hasBody(req) ? bodyOf(req) : null,
        },
        exchange,
      );
    } catch (err) {
      // undici refuses a request it cannot send as given (a target or header it rejects).
      exchange.onError(err as Error);
    }
  }

  return {
    name: o.name,
    web(req, res, headers) {
      dispatch(req, res, headers);
    },
    close() {
      void pool.destroy();
    },
  };
}
