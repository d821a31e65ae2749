import type { RequestHandler } from 'express';
import { hasRole } from '@canaduck/auth';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '@canaduck/errors';
import type { ActivityTracker } from '../domain/activity-tracker';
import type { UpstreamProxy } from '../proxy/upstream-proxy';
import { authNeed, pathOf, resolveRoute, type UpstreamName } from '../routing/route-table';
import type { TokenVerifier } from './token-verifier';

export interface GatewayMiddlewareOptions {
  proxies: Record<UpstreamName, UpstreamProxy>;
  verifier: TokenVerifier;
  activity: ActivityTracker;
}

/**
 * The hot path: find the route, check the token as section 6 says, note the caller's
 * activity, then stream to the upstream. Runs before any body parser. The gateway's own
 * routes continue to the Express routes; unknown paths and `/internal/...` are a 404.
 */
export function gatewayMiddleware(o: GatewayMiddlewareOptions): RequestHandler {
  return (req, res, next) => {
    const path = pathOf(req.url);
    const route = resolveRoute(path);
    if (route === null) {
      // Internal routes are only for services calling each other, never from outside.
      throw new NotFoundError(`no route for ${req.method} ${path ?? req.url}`, 'route_not_found');
    }
    const need = authNeed(req.method, route);
    if (need !== 'skip') {
      const user = o.verifier.verify(req.headers.authorization);
      if (user !== undefined) {
        req.auth = user;
        o.activity.record(user.pseudo);
      } else if (need !== 'optional') {
        throw new UnauthorizedError('authentication required: send "Authorization: Bearer <token>"', 'token_missing');
      }
      if (need === 'admin' && !hasRole(user, 'admin')) throw new ForbiddenError('the admin role is required', 'role_required');
    }
    if (route.target === 'gateway') {
      next();
      return;
    }
    o.proxies[route.target].web(req, res);
  };
}
