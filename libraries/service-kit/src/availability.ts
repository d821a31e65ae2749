import type { ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { sendJson } from '@canaduck/errors';
import type { AccessLogMode, Logger } from '@canaduck/logging';

/**
 * Fail fast while the database does not answer. A frozen MySQL server keeps its TCP
 * connections open, so queries neither fail nor finish: without these guards a request
 * hangs until the caller gives up. The watchdog notices within about a ping timeout, the
 * gate then answers 503 at once, and the deadline bounds what slipped through before that.
 */

export interface DatabaseWatchdog {
  /** False while the last ping failed or is overdue. */
  readonly up: boolean;
  stop(): void;
}

export interface WatchdogOptions {
  intervalMs: number;
  timeoutMs: number;
  logger?: Logger;
}

/**
 * Pings with `ping` every `intervalMs`. At most one ping is outstanding: a frozen server
 * would otherwise pile up stuck pings; an overdue ping marks the database down at once, and
 * its late answer marks it up again, so recovery is seen as soon as the server resumes.
 */
export function startDatabaseWatchdog(ping: () => Promise<unknown>, o: WatchdogOptions): DatabaseWatchdog {
  let up = true;
  let outstanding = false;
  let stopped = false;
  const mark = (next: boolean, reason?: string) => {
    if (next === up) return;
    up = next;
    if (next) o.logger?.info('database answers again');
    else o.logger?.warn({ reason }, 'database does not answer: failing fast with 503');
  };
  const tick = () => {
    if (outstanding || stopped) return;
    outstanding = true;
    const overdue = setTimeout(() => mark(false, `no answer within ${o.timeoutMs} ms`), o.timeoutMs);
    overdue.unref();
    ping().then(
      () => {
        clearTimeout(overdue);
        outstanding = false;
        if (!stopped) mark(true);
      },
      (err: unknown) => {
        clearTimeout(overdue);
        outstanding = false;
        if (!stopped) mark(false, (err as Error)?.message ?? String(err));
      },
    );
  };
  const timer = setInterval(tick, o.intervalMs);
  timer.unref();
  tick();
  return {
    get up() {
      return up;
    },
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}

/** Paths that must keep answering while the database is down: probes and documentation. */
export function isProbeOrDocsPath(path: string): boolean {
  return path === '/health' || path === '/ready' || path === '/openapi.json' || path === '/docs' || path.startsWith('/docs/');
}

/** Answers 503 at once while `isUp()` is false, except for probes and documentation. */
export function databaseGate(isUp: () => boolean, exempt: (path: string) => boolean = isProbeOrDocsPath): RequestHandler {
  return (req, res, next) => {
    if (isUp() || exempt(req.path)) return next();
    res.status(503).json({ error: 'database unavailable', code: 'database_unavailable' });
  };
}

/** Makes every later write to `res` a no-op: its answer has already been given. */
function seal(res: ServerResponse): void {
  const r = res as unknown as Record<string, unknown>;
  r.setHeader = () => res;
  r.writeHead = () => res;
  r.write = () => true;
  r.end = () => res;
  // The error middleware destroys the socket of an answered response; this one is complete.
  r.destroy = () => res;
}

const DEADLINE = Symbol('deadline');
const DEADLINE_MS = Symbol('deadline-ms');
type Watched = ServerResponse & { [DEADLINE]?: NodeJS.Timeout; [DEADLINE_MS]?: number };

// Shared listeners (`this` is the response): no closure per request.
function clearDeadline(this: Watched): void {
  clearTimeout(this[DEADLINE]);
}

/**
 * Answers `503 { code: "request_timeout" }` with `Connection: close` when the answer to `res`
 * has not started within `ms` (below the gateway's upstream timeout, so the caller gets a clear
 * answer); later writes of the handler are ignored. Responses that already sent their headers
 * (streams) are left alone. Plain Node, so that a hot path ahead of Express uses it too.
 */
export function watchDeadline(res: ServerResponse, ms: number): void {
  const previous = (res as Watched)[DEADLINE];
  if (previous) clearTimeout(previous);
  (res as Watched)[DEADLINE_MS] = ms;
  const timer = setTimeout(() => {
    if (res.headersSent || res.writableEnded) return;
    res.setHeader('Connection', 'close');
    sendJson(res, 503, { error: `no answer within ${ms} ms`, code: 'request_timeout' });
    seal(res);
  }, ms);
  timer.unref();
  (res as Watched)[DEADLINE] = timer;
  if (previous) return; // the listeners below are already there
  res.once('finish', clearDeadline);
  res.once('close', clearDeadline);
}

/**
 * Gives a request `extraMs` more than its deadline: a long poll (`wait`) answers late on purpose,
 * and must not be cut by the deadline meant for requests that work all along.
 */
export function extendDeadline(res: ServerResponse, extraMs: number): void {
  const ms = (res as Watched)[DEADLINE_MS];
  if (ms !== undefined && !res.headersSent) watchDeadline(res, ms + extraMs);
}

/** watchDeadline as Express middleware. */
export function requestDeadline(ms: number): RequestHandler {
  return (_req, res, next) => {
    watchDeadline(res, ms);
    next();
  };
}

export interface ServiceGuards {
  /** Present for a service whose database is watched: false means answer 503 at once. */
  databaseUp?: () => boolean;
  /** Per-request deadline in ms. */
  requestTimeoutMs?: number;
  /** ACCESS_LOG of the process (createServiceApp's default when the app names none). */
  accessLog?: AccessLogMode;
}

let processGuards: ServiceGuards | undefined;

/**
 * runService sets the guards of the process before building the app, so every service's
 * createServiceApp installs them without code of its own; an app's explicit `guards` win.
 */
export function setProcessGuards(g: ServiceGuards | undefined): void {
  processGuards = g;
}

export function currentProcessGuards(): ServiceGuards | undefined {
  return processGuards;
}
