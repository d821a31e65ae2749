import http, { type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Express } from 'express';
import type { Logger } from '@canaduck/logging';

export interface StartOptions {
  app: Express;
  /**
   * Serves requests instead of `app` when given: a service may put a plain Node handler in
   * front of its Express app for a hot path (the gateway's proxy) and hand everything else to it.
   */
  handler?: RequestListener;
  /**
   * Create requests and responses with `app`'s prototypes (expressShapedServerOptions). Default:
   * yes without `handler`. A plain handler's own requests pay for the longer prototype chain
   * (bench/findings.md), so a service with one chooses: message-service yes (its
   * Express routes gain far more), the gateway no (its proxied traffic never reaches Express).
   */
  shapeRequests?: boolean;
  /** HTTP upgrade requests (WebSockets); without it they are refused by Node. */
  onUpgrade?: (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void;
  /**
   * Called at once when a signal starts the shutdown, before draining: long-lived streams
   * (SSE, WebSockets) say goodbye and close, or server.close() would wait for them until the timeout.
   */
  onSignal?: () => void;
  port: number;
  host?: string;
  logger: Logger;
  /** Closed after the last request finished: pools, timers, clients. */
  onShutdown?: Array<() => Promise<void> | void>;
  shutdownTimeoutMs?: number;
  /**
   * On a signal, how long the server still accepts and serves before it stops listening and
   * closes idle keep-alive sockets (default 400 ms, at most a quarter of the shutdown timeout).
   * Answers in that window carry `Connection: close`.
   */
  drainMs?: number;
}

/**
 * Node answers a request it cannot parse (a URL or headers over 16 kB, garbage) with an empty
 * body; answer JSON like every other error instead, when the socket can still be written to.
 * `current`: the answer last started on this socket (trackAnswers), if the server tracks them.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex, current?: ServerResponse): void {
  // As Node itself does: no answer while an answer to an earlier request is being written.
  const answering = current !== undefined && current.headersSent && !current.writableFinished;
  if (err.code === 'ECONNRESET' || !socket.writable || socket.writableEnded || answering) {
    socket.destroy();
    return;
  }
  const [status, reason, body] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', { error: 'request header fields too large', code: 'headers_too_large' }]
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', { error: 'request timeout', code: 'request_timeout' }]
        : [400, 'Bad Request', { error: 'malformed HTTP request', code: 'bad_request' }];
  const json = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
  );
}

/**
 * Answers `server`'s client errors with answerClientError, knowing each socket's latest answer:
 * remembered per socket from the 'request' event (a WeakMap, so a closed socket is forgotten).
 * Returns the 'request' listener's work for a server that already has one (startServer).
 */
export function trackAnswers(server: Server): (req: IncomingMessage, res: ServerResponse) => void {
  const latest = new WeakMap<Duplex, ServerResponse>();
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => answerClientError(err, socket, latest.get(socket)));
  return (req, res) => void latest.set(req.socket, res);
}

type NodeConstructor = (this: object, ...args: unknown[]) => void;

/**
 * A constructor running Node's `base` on an object whose prototype is `proto`. Express gives every
 * request and response its app's prototypes (`Object.setPrototypeOf` in `app.handle`), which sends
 * V8 to a new hidden class for both objects on each request; created with those prototypes
 * already, the swap is a no-op, and a bare Express route costs much less CPU per request
 * (bench/findings.md). `Reflect.construct` with another `new.target` was tried first and made
 * every request dearer: V8 leaves its fast construction path for a foreign `new.target`.
 */
function withPrototype(base: NodeConstructor, proto: object): NodeConstructor {
  const Shaped = function (this: object, ...args: unknown[]): void {
    base.apply(this, args);
  };
  Shaped.prototype = proto;
  return Shaped;
}

/** Node defines IncomingMessage and ServerResponse as plain functions; a class cannot be applied to `this`. */
const isPlainFunction = (f: unknown): boolean => typeof f === 'function' && !/^class\b/.test(Function.prototype.toString.call(f));

/**
 * Server options that create requests and responses already shaped as `app`'s (none when this
 * Node defines its classes in a way that cannot be shaped: plain requests then, as before).
 */
export function expressShapedServerOptions(app: Express): http.ServerOptions {
  if (!isPlainFunction(http.IncomingMessage) || !isPlainFunction(http.ServerResponse)) return {};
  return {
    IncomingMessage: withPrototype(
      http.IncomingMessage as unknown as NodeConstructor,
      app.request,
    ) as unknown as typeof http.IncomingMessage,
    ServerResponse: withPrototype(http.ServerResponse as unknown as NodeConstructor, app.response) as unknown as typeof http.ServerResponse,
  };
}

/**
 * Listens, and on SIGTERM/SIGINT stops accepting, lets requests in flight
 * finish (up to the timeout), runs the shutdown hooks, then exits.
 */
export function startServer(o: StartOptions): Promise<Server> {
  return new Promise((resolve, reject) => {
    const shape = o.shapeRequests ?? o.handler === undefined;
    const server = http
      .createServer(shape ? expressShapedServerOptions(o.app) : {}, o.handler ?? o.app)
      .listen(o.port, o.host ?? '0.0.0.0');
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    const track = trackAnswers(server);
    if (o.onUpgrade) server.on('upgrade', o.onUpgrade);
    server.once('error', reject);
    server.once('listening', () => {
      o.logger.info({ port: o.port }, 'listening');
      resolve(server);
    });
    let stopping = false;
    // During shutdown, answers ask keep-alive clients to hang up, so their sockets do not hold close() open.
    // Prepended: the app may answer synchronously, before a later listener would run.
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      track(req, res);
      if (stopping && !res.headersSent) res.setHeader('Connection', 'close');
    });
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      const shutdownMs = o.shutdownTimeoutMs ?? 10_000;
      const drainMs = Math.min(o.drainMs ?? 400, shutdownMs / 4);
      o.logger.info({ signal, drainMs }, 'signal received: draining');
      try {
        o.onSignal?.();
      } catch (err) {
        o.logger.error({ err }, 'signal hook failed');
      }
      const force = setTimeout(() => {
        o.logger.warn('shutdown timeout: closing remaining connections');
        server.closeAllConnections();
      }, shutdownMs);
      force.unref();
      // Drain: for a short while keep accepting and serving, every answer with Connection: close.
      // Closing the listener or idle keep-alive sockets at once would drop requests already on
      // the wire (sent on a pooled socket, or waiting in the accept backlog).
      setTimeout(() => {
        // close() only drops the sockets idle at this moment; a request in flight leaves its
        // socket idle later, so keep closing idle sockets until the server is down.
        const sweep = setInterval(() => server.closeIdleConnections(), 100);
        sweep.unref();
        server.close(async () => {
          clearInterval(sweep);
          for (const hook of o.onShutdown ?? []) {
            try {
              await hook();
            } catch (err) {
              o.logger.error({ err }, 'shutdown hook failed');
            }
          }
          o.logger.info('stopped');
          process.exit(0);
        });
        o.logger.info({ signal }, 'shutting down: finishing requests in flight');
      }, drainMs).unref();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

/** Last-resort handlers: log, never die silently. An unhandled rejection is a bug but not a crash. */
export function installProcessHandlers(logger: Logger): void {
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception: exiting');
    process.exit(1);
  });
}
