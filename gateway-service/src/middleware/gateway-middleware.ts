import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Express, Request, RequestHandler, Response } from 'express';
import { admitToken, type AuthUser, hasRole, type RevocationSource, type TokenVerifier, type VerifiedToken } from '@canaduck/auth';
import { ForbiddenError, NotFoundError, sendError, toErrorResponse, UnauthorizedError } from '@canaduck/errors';
import type { ActivityTracker } from '../domain/activity-tracker';
import { answerOnSocket, type UpgradeProxy } from '../proxy/upgrade-proxy';
import type { UpstreamProxy } from '../proxy/upstream-proxy';
import { authNeed, type AuthNeed, pathOf, type ProxiedName, resolveRoute } from '../routing/route-table';

export interface GatewayCore {
  proxies: Record<ProxiedName, UpstreamProxy>;
  verifier: TokenVerifier;
  /** The token revocation map (user stream): a revoked token is a 401 token_revoked here already. */
  revocation?: RevocationSource;
  activity: ActivityTracker;
}

/**
 * Section 6's checks, before any service is called: a token where one is needed (401), not
 * revoked (401 token_revoked), the admin role where it is needed (403). A valid caller is noted
 * for the activity batch. Synchronous for a token in the verifier's cache, except for an admin
 * token while the revocation map is stale (user-service is asked then).
 */
function authorize(core: GatewayCore, req: IncomingMessage, need: AuthNeed): void | Promise<void> {
  if (need === 'skip' || need === 'ticket') return;
  // A token seen before comes from the verifier's cache at once; a new one is checked (jose, async).
  const hit = core.verifier.cached(req.headers.authorization);
  if (hit) return admitVerified(core, req, need, hit);
  return core.verifier.verifyToken(req.headers.authorization).then((verified) => admitVerified(core, req, need, verified));
}

function admitVerified(core: GatewayCore, req: IncomingMessage, need: AuthNeed, verified: VerifiedToken | undefined): void | Promise<void> {
  if (verified === undefined) {
    if (need !== 'optional') throw new UnauthorizedError('authentication required: send "Authorization: Bearer <token>"', 'token_missing');
    return;
  }
  const admitted = admitToken(core.revocation, verified.user, verified.issuedAt);
  if (admitted instanceof Promise) return admitted.then((user) => admit(core, req, user, need));
  admit(core, req, admitted, need);
}

function admit(core: GatewayCore, req: IncomingMessage, user: AuthUser, need: AuthNeed): void {
  (req as Request).auth = user;
  core.activity.record(user.pseudo);
  if (need === 'admin' && !hasRole(user, 'admin')) throw new ForbiddenError('the admin role is required', 'role_required');
}

/**
 * The routing step inside Express: unknown paths and `/internal/...` are a 404, proxied
 * routes are checked and streamed (before any body parser), the gateway's own routes go on.
 */
export function gatewayMiddleware(core: GatewayCore): RequestHandler {
  return (req, res, next) => {
    const path = pathOf(req.url);
    const route = resolveRoute(path);
    // Internal routes are only for services calling each other, never from outside.
    if (route === null) throw new NotFoundError(`no route for ${req.method} ${path ?? req.url}`, 'route_not_found');
    const target = route.target;
    const pass = () => (target === 'gateway' ? next() : core.proxies[target].web(req, res));
    const checked = authorize(core, req, authNeed(req.method, route, req.url));
    // Express 5 forwards a rejected promise to the error middleware.
    if (checked instanceof Promise) return checked.then(pass);
    pass();
  };
}

export interface FrontOptions {
  core: GatewayCore;
  /** The full Express app: everything the fast path does not take. */
  app: Express;
  /** Express's first middleware: takes or makes the request id (into `req.headers`). */
  requestId: RequestHandler;
  /** What Express's header-only middlewares set on every proxied answer (recordHeaders). */
  fixedHeaders: readonly string[];
  /** CORS for a list of origins, whose headers depend on the request: run on each one. */
  cors?: RequestHandler;
}

function noop(): void {}

/** The request id middleware echoes the id with setHeader; the hot path sends it with the rest. */
const DISCARD_HEADERS = { setHeader: noop } as unknown as Response;

/** @canaduck/errors' answer for `err`, after the headers Express's middlewares would have set. */
function sendErrorWith(res: ServerResponse, err: unknown, headers: readonly string[]): void {
  for (let i = 0; i < headers.length; i += 2) res.setHeader(headers[i], headers[i + 1]);
  sendError(res, err);
}

/**
 * The hot path, in front of Express. Express's own dispatch (it swaps the prototypes of
 * req and res, then walks its router) costs as much CPU as the whole proxying, so proxied
 * requests skip it: same checks, same proxy, and the same headers as Express's middleware
 * would set (request id, security headers, CORS), given to the proxy to write in one go with
 * the upstream's. Everything else (preflights, rate-limited /login and /register, the
 * gateway's own routes, 404s) goes to Express.
 */
export function frontHandler(o: FrontOptions): RequestListener {
  const { core, app, requestId, fixedHeaders, cors } = o;
  return (req, res) => {
    const route = req.method === 'OPTIONS' ? null : resolveRoute(pathOf(req.url ?? ''));
    if (route === null || route.target === 'gateway') return void app(req, res);
    const need = authNeed(req.method ?? 'GET', route, req.url);
    if (need === 'skip') return void app(req, res);
    void requestId(req as Request, DISCARD_HEADERS, noop);
    const headers = ['X-Request-Id', req.headers['x-request-id'] as string, ...fixedHeaders];
    if (cors) void cors(req as Request, res as Response, noop);
    const pass = () => core.proxies[route.target as ProxiedName].web(req, res, headers);
    const refuse = (err: unknown) => sendErrorWith(res, err, headers);
    let checked: void | Promise<void>;
    try {
      checked = authorize(core, req, need);
    } catch (err) {
      refuse(err);
      return;
    }
    if (checked instanceof Promise) void checked.then(pass, refuse);
    else pass();
  };
}

/**
 * The server's `upgrade` event: only `GET /ws` is upgraded (to realtime-service), after the same
 * checks as its plain requests (a Bearer token, or a `?ticket=` for the service to verify).
 * Refusals are HTTP answers written on the socket, JSON like every other error.
 */
export function upgradeHandler(core: GatewayCore, proxy: UpgradeProxy): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    // A client that resets before the tunnel is up must not throw from an unhandled socket error.
    socket.on('error', () => socket.destroy());
    const refuse = (err: unknown) => {
      const answer = toErrorResponse(err);
      answerOnSocket(socket, answer.status, answer.body);
    };
    const route = resolveRoute(pathOf(req.url ?? ''));
    if (route === null || route.target !== 'realtime-service' || route.segment !== 'ws' || req.method !== 'GET') {
      return refuse(new NotFoundError(`no WebSocket at ${pathOf(req.url ?? '') ?? req.url}`, 'route_not_found'));
    }
    let checked: void | Promise<void>;
    try {
      checked = authorize(core, req, authNeed('GET', route, req.url));
    } catch (err) {
      return refuse(err);
    }
    if (checked instanceof Promise) void checked.then(() => proxy.upgrade(req, socket, head), refuse);
    else proxy.upgrade(req, socket, head);
  };
}
