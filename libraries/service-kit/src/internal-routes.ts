import type { RequestHandler, Router } from 'express';
import { requireService, type ServiceKeys } from '@canaduck/auth';
import type { ApiDocs, DocRoute } from './api-docs';

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
