import http, { type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import httpProxy from 'http-proxy';
import type { Logger } from '@canaduck/logging';
import { FastExchange, isTimeout } from './fast-exchange';
import { isPlainRequest, outgoingHeaders } from './plain-request';
import { UpstreamError, UpstreamPool } from './upstream-pool';

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

/** Set on a request that went out on a reused keep-alive socket (http-proxy path). */
const REUSED = Symbol('reusedSocket');
const RETRIED = Symbol('retried');
type Tracked = IncomingMessage & { [REUSED]?: boolean; [RETRIED]?: boolean };

/** Connection-level failures before any answer: the request may not have reached the service. */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE']);

// Shared listener (`this` is the emitter): no closure allocated per request for it.
function onUpstreamTimeout(this: ClientRequest): void {
  this.destroy(new UpstreamError('upstream timeout', 'UPSTREAM_TIMEOUT'));
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
 * Whether the upstream pool may send this request as it is: plain (isPlainRequest), without a
 * body (those keep http-proxy's piping), and no connection-level headers (`Upgrade`, `Keep-Alive`).
 */
function fastEligible(req: IncomingMessage): boolean {
  const h = req.headers;
  return (
    h['content-length'] === undefined &&
    h['transfer-encoding'] === undefined &&
    h.upgrade === undefined &&
    h['keep-alive'] === undefined &&
    isPlainRequest(req)
  );
}

/**
 * One streaming proxy per upstream. Bodies are streamed in both directions, never parsed or
 * buffered. Failures become JSON: 503 when the service cannot be reached, 504 when it does not
 * answer in time; a failure after the answer started (headers sent) can only cut the
 * connection, which the client sees at once.
 *
 * Plain requests without a body (every read) go through UpstreamPool (upstream-pool.ts) with the
 * headers http-proxy would send: Node's http client (ClientRequest, agent bookkeeping, a readable
 * stream per answer) cost about as much CPU as the rest of the gateway, and undici's Pool, used
 * here before, a third more than UpstreamPool (bench/findings.md). Their answer is written with
 * one writeHead. Anything else (bodies, HTTP/1.0, `Expect`, URLs
 * that http-proxy rewrites) goes through http-proxy over a keep-alive http.Agent, as before.
 */
export function createUpstreamProxy(o: UpstreamProxyOptions): UpstreamProxy {
  const agent = new http.Agent({
    keepAlive: true,
    // Headers and body leave in separate writes: no Nagle delay between them.
    noDelay: true,
    maxSockets: o.maxSockets,
    maxFreeSockets: Math.min(o.maxSockets, 256),
    // Idle sockets are dropped before the upstream's own keep-alive timeout (65 s) can race us.
    timeout: 30000,
    scheduling: 'lifo',
  });
  const target = new URL(o.target);
  const fastTarget = target.protocol === 'http:' && target.pathname === '/' && target.search === '';
  const pool = new UpstreamPool(target.hostname.replace(/^\[|\]$/g, ''), Number(target.port || 80), {
    connections: o.maxSockets,
    // "No answer within the timeout": for the status line and headers, then between body chunks.
    timeoutMs: o.timeoutMs,
    // As the agent: idle sockets go before the upstream's keep-alive timeout (65 s) could race us.
    idleMs: 30000,
  });
  const proxy = httpProxy.createProxyServer({ target: o.target, agent, xfwd: true, ws: false });
  const unavailable = { error: `${o.name} unavailable`, code: 'service_unavailable' };
  const timedOut = { error: `${o.name} did not answer within ${o.timeoutMs} ms`, code: 'upstream_timeout' };

  /**
   * Every failure of either path ends here. A keep-alive socket the upstream closed just as it
   * was reused fails with a reset before any answer: the request never reached the service, so
   * a GET or HEAD is sent again, once, on a fresh socket; anything else gets its 503.
   */
  function fail(err: Error, req: Tracked, res: ServerResponse, reused: boolean, retry: () => void): void {
    const timeout = isTimeout(err);
    const code = (err as { code?: string }).code;
    const safe = req.method === 'GET' || req.method === 'HEAD';
    if (
      !res.headersSent &&
      !res.destroyed &&
      !req.socket.destroyed &&
      reused &&
      safe &&
      req[RETRIED] !== true &&
      RESET_CODES.has(code ?? '')
    ) {
      req[RETRIED] = true;
      retry();
      return;
    }
    if (res.headersSent || res.destroyed || req.socket.destroyed) {
      if (timeout || !req.socket.destroyed)
        o.logger.warn({ upstream: o.name, err: err.message, url: req.url }, 'upstream failed mid-answer');
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
    // The pool does not say whether a socket was reused; a reset before any answer on a fresh
    // socket is as safe to retry for a GET or HEAD, so every such reset counts as one.
    const retry = () => dispatch(req, res, own);
    const exchange = new FastExchange(req, res, own, (err, r, s, again) => fail(err, r, s, true, again), retry);
    pool.dispatch({ path: req.url ?? '/', method: req.method ?? 'GET', headers: outgoingHeaders(req) }, exchange);
  }

  proxy.on('proxyReq', (proxyReq: ClientRequest, req: Tracked, res: ServerResponse) => {
    proxyReq.setTimeout(o.timeoutMs, onUpstreamTimeout);
    req[REUSED] = proxyReq.reusedSocket;
    // The client went away before the answer was complete: free the upstream socket now.
    res.once('close', () => {
      if (!res.writableFinished) proxyReq.destroy();
    });
  });
  proxy.on('proxyRes', (proxyRes: IncomingMessage, _req: IncomingMessage, res: ServerResponse) => {
    delete proxyRes.headers['x-powered-by'];
    // The upstream died mid-answer: cut the client's connection too, or it would wait forever.
    proxyRes.once('close', () => {
      if (!proxyRes.complete) res.destroy();
    });
  });
  proxy.on('error', (err: Error, req: Tracked, res: ServerResponse | Socket) => {
    if (!(res instanceof http.ServerResponse)) return void res.destroy();
    fail(err, req, res, req[REUSED] === true, () => {
      req[REUSED] = false;
      proxy.web(req, res);
    });
  });
  // A client that resets its connection is not a failure of ours.
  proxy.on('econnreset', () => undefined);

  return {
    name: o.name,
    web(req, res, headers) {
      // A client's `Connection: close` is about its own hop; keep the upstream socket reusable.
      if (req.headers.connection !== undefined) delete req.headers.connection;
      if (fastTarget && fastEligible(req)) return dispatch(req, res, headers);
      // http-proxy copies the upstream's headers with setHeader over ours, which must be set first.
      if (headers) for (let i = 0; i < headers.length; i += 2) res.setHeader(headers[i], headers[i + 1]);
      proxy.web(req, res);
    },
    close() {
      proxy.close();
      agent.destroy();
      pool.close();
    },
  };
}
