import http, { type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import httpProxy from 'http-proxy';
import type { Logger } from '@canaduck/logging';

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
  /** Streams the request to the upstream and its answer back; never throws, never hangs. */
  web(req: IncomingMessage, res: ServerResponse): void;
  close(): void;
}

/** Marks an upstream that went quiet for longer than the timeout (504, not 503). */
class UpstreamTimeout extends Error {
  readonly code = 'UPSTREAM_TIMEOUT';
}

/** Set on a client request whose upstream call went out on a reused keep-alive socket. */
const REUSED = Symbol('reusedSocket');
const RETRIED = Symbol('retried');
type Tracked = IncomingMessage & { [REUSED]?: boolean; [RETRIED]?: boolean };

/**
 * A keep-alive socket the upstream closed just as we reused it fails with ECONNRESET
 * before any answer: the request never reached the service. A GET or HEAD is safe to send
 * again, once, on a fresh socket; anything else gets its 503.
 */
function canRetry(err: Error, req: Tracked): boolean {
  return (
    (err as { code?: string }).code === 'ECONNRESET' &&
    req[REUSED] === true &&
    req[RETRIED] !== true &&
    (req.method === 'GET' || req.method === 'HEAD')
  );
}

// Shared listeners (`this` is the emitter): no closure allocated per request for these.
function onUpstreamTimeout(this: ClientRequest): void {
  this.destroy(new UpstreamTimeout('upstream timeout'));
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
 * One streaming proxy per upstream, with its own keep-alive agent. Bodies are piped in
 * both directions, never parsed or buffered. Failures become JSON: 503 when the service
 * cannot be reached, 504 when it does not answer in time; a failure after the answer
 * started (headers sent) can only cut the connection, which the client sees at once.
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
  const proxy = httpProxy.createProxyServer({ target: o.target, agent, xfwd: true, ws: false });
  const unavailable = { error: `${o.name} unavailable`, code: 'service_unavailable' };
  const timedOut = { error: `${o.name} did not answer within ${o.timeoutMs} ms`, code: 'upstream_timeout' };

  proxy.on('proxyReq', (proxyReq: ClientRequest, req: Tracked, res: ServerResponse) => {
    proxyReq.setTimeout(o.timeoutMs, onUpstreamTimeout);
    if (proxyReq.reusedSocket) req[REUSED] = true;
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

  proxy.on('error', (err: Error, req: Tracked, res: ServerResponse | import('node:net').Socket) => {
    if (!(res instanceof http.ServerResponse)) {
      res.destroy();
      return;
    }
    const isTimeout = err instanceof UpstreamTimeout;
    if (!res.headersSent && !res.destroyed && canRetry(err, req)) {
      req[RETRIED] = true;
      req[REUSED] = false;
      proxy.web(req, res);
      return;
    }
    if (res.headersSent || res.destroyed || req.socket.destroyed) {
      if (isTimeout || !req.socket.destroyed)
        o.logger.warn({ upstream: o.name, err: err.message, url: req.url }, 'upstream failed mid-answer');
      res.destroy();
      return;
    }
    o.logger.warn(
      { upstream: o.name, err: err.message, code: (err as { code?: string }).code, url: req.url, reqId: req.headers['x-request-id'] },
      isTimeout ? 'upstream timeout' : 'upstream unavailable',
    );
    sendError(res, isTimeout ? 504 : 503, isTimeout ? timedOut : unavailable);
  });
  // A client that resets its connection is not a failure of ours.
  proxy.on('econnreset', () => undefined);

  return {
    name: o.name,
    web(req, res) {
      // A client's `Connection: close` is about its own hop; keep the upstream socket reusable.
      if (req.headers.connection !== undefined) delete req.headers.connection;
      proxy.web(req, res);
    },
    close() {
      proxy.close();
      agent.destroy();
    },
  };
}
