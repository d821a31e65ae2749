import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import { type Dispatcher, Pool } from 'undici';
import { ReplicaRing } from '@canaduck/http-client';
import type { Logger } from '@canaduck/logging';
import { ProxyExchange } from './proxy-exchange';
import { hasBody, outgoingHeaders } from './request-headers';

export interface UpstreamProxyOptions {
  /** The service's name, used in error bodies ("message-service unavailable"). */
  name: string;
  /** The service's address, or the addresses of its replicas: requests go round robin over them. */
  target: string | readonly string[];
  timeoutMs: number;
  /**
   * The wait for the status line, when longer than `timeoutMs` (long polls answer only when
   * events come or their wait ends).
   */
  headersTimeoutMs?: number;
  /** The longest silence between body chunks; 0: none (event streams stay open while idle). Default `timeoutMs`. */
  bodyTimeoutMs?: number;
  /** Sockets per replica; null: no bound (each open event stream holds one for its whole life). */
  maxSockets: number | null;
  /** Remember the answers in flight for cutOpen() (long-lived streams; the hot path skips the cost). */
  trackOpen?: boolean;
  logger: Logger;
  /** The client's address as the gateway resolved it (TRUST_PROXY), sent as X-Forwarded-For; default: the socket peer. */
  clientAddress?: (req: IncomingMessage) => string | undefined;
}

export interface UpstreamProxy {
  readonly name: string;
  /**
   * Streams the request to the upstream and its answer back; never throws, never hangs.
   * `headers` (name, value, name, value...): what the gateway adds to the answer, as its
   * middleware would have; a header of the same name from the upstream wins.
   */
  web(req: IncomingMessage, res: ServerResponse, headers?: readonly string[]): void;
  /** Cuts every answer still streaming (on a signal: event streams would hold the shutdown open). */
  cutOpen(): void;
  close(): void;
}

const RETRIED = Symbol('retried');
const REFUSED = Symbol('refused');
type Tracked = IncomingMessage & { [RETRIED]?: boolean; [REFUSED]?: number };

/** No connection could be made: the request never left the gateway (a stopped or restarting replica). */
const REFUSED_CODES = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH']);
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

/** A body the gateway read before proxying (the /login and /register limits read the pseudo): sent on as read. */
function prereadBody(req: IncomingMessage): Buffer | undefined {
  const body = (req as { body?: unknown }).body;
  return Buffer.isBuffer(body) ? body : undefined;
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
 * One streaming proxy per upstream, over an undici Pool of keep-alive sockets per replica
 * (round robin; a replica that refuses connections is passed over for a second, and a request
 * without a body it refused goes to the next one). Bodies are
 * streamed in both directions with backpressure, never parsed or buffered. Failures become
 * JSON: 503 when the service cannot be reached, 504 when it does not answer in time; a failure
 * after the answer started (headers sent) can only cut the connection, which the client sees
 * at once. The request target goes upstream exactly as the client sent it.
 */
export function createUpstreamProxy(o: UpstreamProxyOptions): UpstreamProxy {
  const ring = ReplicaRing.ofUrls(o.target);
  const replicas = ring.items.map((target) => {
    const pool = new Pool(target, {
      connections: o.maxSockets,
      // "No answer within the timeout": for the status line and headers, then between body chunks
      // (undici does not count the time a slow client keeps the body paused).
      headersTimeout: o.headersTimeoutMs ?? o.timeoutMs,
      bodyTimeout: o.bodyTimeoutMs ?? o.timeoutMs,
      connectTimeout: o.timeoutMs,
      keepAliveTimeout: IDLE_MS,
      keepAliveMaxTimeout: IDLE_MS,
    });
    // A refused or failed connection also fails the request that wanted it: nothing else to do here.
    pool.on('connectionError', () => undefined);
    return pool;
  });
  const unavailable = { error: `${o.name} unavailable`, code: 'service_unavailable' };
  const timedOut = { error: `${o.name} did not answer within ${o.headersTimeoutMs ?? o.timeoutMs} ms`, code: 'upstream_timeout' };
  /** Answers not finished yet: what cutOpen() ends. */
  const open = new Set<ServerResponse>();

  /**
   * Every failure ends here. A reset before any answer means the request never reached the
   * service (a kept-alive socket the upstream closed as it was reused): a GET or HEAD without a
   * body is sent again, once; anything else gets its 503.
   */
  function fail(err: Error, req: Tracked, res: ServerResponse, retry: () => void, replica = 0): void {
    const code = (err as { code?: string }).code ?? '';
    if (REFUSED_CODES.has(code) && replicas.length > 1) {
      ring.refused(replica);
      // Never reached any replica: a request without a body goes to the next one (each tried once).
      const tried = (req[REFUSED] ?? 0) + 1;
      req[REFUSED] = tried;
      if (!res.headersSent && !hasBody(req) && tried < replicas.length) {
        retry();
        return;
      }
    }
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
    const replica = ring.pick();
    const exchange = new ProxyExchange(req, res, own, (err, r, w, again) => fail(err, r, w, again, replica), retry);
    try {
      replicas[replica].dispatch(
        {
          path: req.url ?? '/',
          method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
          headers: outgoingHeaders(req, o.clientAddress?.(req)),
          body: prereadBody(req) ?? (hasBody(req) ? bodyOf(req) : null),
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
      if (o.trackOpen) {
        open.add(res);
        res.once('close', () => open.delete(res));
      }
      dispatch(req, res, headers);
    },
    cutOpen() {
      for (const res of open) res.destroy();
    },
    close() {
      for (const pool of replicas) void pool.destroy();
    },
  };
}
