import type { Request, RequestHandler, Router } from 'express';
import type { z } from 'zod';
import { bearerToken, requireAuth, requireService, type ServiceKeys, verifyServiceToken } from '@canaduck/auth';
import { UnauthorizedError } from '@canaduck/errors';
import type { ApiDocs, DocRoute } from './api-docs';
import { parseInput } from './validation';

/** The answers every internal route shares; a route may word them its own way. */
const SERVICE_AUTH_ANSWERS = {
  401: 'no service token, or a user token',
  403: 'a service this route does not serve (service_not_allowed)',
} as const;

export interface InternalRouteOptions {
  router: Router;
  /** Where the route is documented; tests that mount a route alone may leave it out. */
  docs?: ApiDocs;
  /** This service's keys: a route takes tokens addressed to it, signed by a known service. */
  serviceKeys: ServiceKeys;
  /** `METHOD /path` -> the services allowed to call it: this service's entry in INTERNAL_CALLERS. */
  callers: Readonly<Record<string, readonly string[]>>;
}

/**
 * Mounts internal routes (service token only, structures.md 5) the one way: documented as
 * `serviceToken` routes with the shared 401/403 answers, guarded by requireService with the
 * callers INTERNAL_CALLERS lists for `METHOD /path`, so the allow-list, the document and the
 * route can never name different paths.
 */
export function internalRouteMounter({ router, docs, serviceKeys, callers }: InternalRouteOptions) {
  return (spec: Omit<DocRoute, 'auth'>, handler: RequestHandler): void => {
    const key = `${spec.method.toUpperCase()} ${spec.path}`;
    const allowed = callers[key];
    // A route missing from the allow-list is a programming error: fail at start-up, not per call.
    if (!allowed) throw new Error(`${key} has no entry in INTERNAL_CALLERS`);
    docs?.route({ ...spec, auth: 'service', responses: { ...SERVICE_AUTH_ANSWERS, ...spec.responses } });
    router[spec.method](spec.path, requireService(serviceKeys, allowed), handler);
  };
}

/**
 * Mounted after a service's internal routes: a path under /internal that none of them matched
 * answers 401 without a valid service token (as the real routes do), and the JSON 404 only to a
 * known service, so nobody without credentials can tell which internal paths exist.
 */
export function unknownInternalRoutes(serviceKeys: ServiceKeys): RequestHandler {
  return async (req, _res, next) => {
    if (req.path !== '/internal' && !req.path.startsWith('/internal/')) return next();
    const token = bearerToken(req.headers.authorization);
    if (!token) throw new UnauthorizedError('service token required', 'token_missing');
    await verifyServiceToken(token, serviceKeys);
    next(); // the service's JSON 404, as for any unknown path
  };
}

/** The body schema a route documents is the one it validates with: a zod schema fits. */
export type UserRouteSpec<B extends z.ZodTypeAny = z.ZodTypeAny> = Omit<DocRoute, 'auth' | 'body'> & { body?: B };

/**
 * Mounts user routes (a user token required, checked by the service's `authenticate` before) the
 * one way: documented as `user` routes with the shared 401 answer, guarded by requireAuth, so no
 * route can be documented as guarded without being so.
 */
export function userRouteMounter({ router, docs }: { router: Router; docs: ApiDocs }) {
  return (spec: UserRouteSpec, handler: RequestHandler): void => {
    docs.route({ ...spec, auth: 'user', responses: { 401: 'no token, or an invalid, expired or revoked one', ...spec.responses } });
    router[spec.method](spec.path, requireAuth(), handler);
  };
}

/**
 * A handler that only calls the domain: the body validated with the spec's schema, and the answer
 * sent with the one 2xx status the spec documents (two would be ambiguous: that fails at start-up).
 */
export function answering<B extends z.ZodTypeAny = z.ZodUnknown>(
  spec: UserRouteSpec<B>,
  answer: (req: Request, body: z.infer<B>) => Promise<unknown>,
): RequestHandler {
  const successes = Object.keys(spec.responses).filter((status) => status.startsWith('2'));
  if (successes.length !== 1) {
    throw new Error(`${spec.method.toUpperCase()} ${spec.path} documents ${successes.length} success statuses, not one`);
  }
  const status = Number(successes[0]);
  return async (req, res) => {
    const body: z.infer<B> = spec.body ? parseInput(spec.body, req.body) : undefined;
    res.status(status).json(await answer(req, body));
  };
}
