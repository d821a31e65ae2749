import http, { type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { Express } from 'express';
import type { Logger } from '@canaduck/logging';

export interface StartOptions {
  app: Express;
  /**
   * Serves requests instead of `app` when given: a service may put a plain Node handler in
   * front of its Express app for a hot path (the gateway's proxy) and hand everything else to it.
   */
  handler?: RequestListener;
  port: number;
  host?: string;
  logger: Logger;
  /** Closed after the last request finished: pools, timers, clients. */
  onShutdown?: Array<() => Promise<void> | void>;
  shutdownTimeoutMs?: number;
}

/**
 * Listens, and on SIGTERM/SIGINT stops accepting, lets requests in flight
 * finish (up to the timeout), runs the shutdown hooks, then exits.
 */
export function startServer(o: StartOptions): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = http.createServer(o.handler ?? o.app).listen(o.port, o.host ?? '0.0.0.0');
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    server.once('error', reject);
    server.once('listening', () => {
      o.logger.info({ port: o.port }, 'listening');
      resolve(server);
    });
    let stopping = false;
    // During shutdown, answers ask keep-alive clients to hang up, so their sockets do not hold close() open.
    server.on('request', (_req, res: ServerResponse) => {
      if (stopping && !res.headersSent) res.setHeader('Connection', 'close');
    });
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      o.logger.info({ signal }, 'shutting down: finishing requests in flight');
      const force = setTimeout(() => {
        o.logger.warn('shutdown timeout: closing remaining connections');
        server.closeAllConnections();
      }, o.shutdownTimeoutMs ?? 10_000);
      force.unref();
      // close() only drops the sockets idle at the moment it is called; a request in flight
      // leaves its socket idle later, so keep closing idle sockets until the server is down.
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
      // Idle keep-alive sockets would hold close() open; busy ones finish first.
      server.closeIdleConnections();
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
