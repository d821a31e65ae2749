import type { Request, Router } from 'express';
import type { z } from 'zod';
import { hasRole } from '@canaduck/auth';
import { UnauthorizedError } from '@canaduck/errors';
import {
  answering,
  type ApiDocs,
  pseudoKey,
  single,
  userRouteMounter as sharedUserRouteMounter,
  type UserRouteSpec,
} from '@canaduck/service-kit';
import type { Actor } from '../domain/channel-policy';

/** The caller of a write route (requireAuth ran before). */
export function actorOf(req: Request): Actor {
  if (!req.auth) throw new UnauthorizedError('authentication required: send "Authorization: Bearer <token>"', 'token_missing');
  return { pseudo: req.auth.pseudo, key: pseudoKey(req.auth.pseudo), admin: hasRole(req.auth, 'admin') };
}

/** The caller of a read route, when a token came with it. */
export function optionalActor(req: Request): Actor | undefined {
  return req.auth ? actorOf(req) : undefined;
}

export function requestId(req: Request): string | undefined {
  return single(req.headers['x-request-id']);
}

/** Path parameters as strings (Express 5 types them loosely). */
export function param(req: Request, name: string): string {
  return String(req.params[name] ?? '');
}

/** What a route documents beside its success answer and the shared 401: its refusals, by status. */
export type Refusals = Record<number, string>;

/**
 * Write routes (a user token required) declared once from their document: service-kit's
 * userRouteMounter documents and guards them, and `answering` validates the body with the
 * documented schema and sends the documented 2xx status. `answer` only calls the domain.
 */
export function writeRouteMounter(router: Router, docs: ApiDocs) {
  const mount = sharedUserRouteMounter({ router, docs });
  return <B extends z.ZodTypeAny = z.ZodUnknown>(
    spec: UserRouteSpec<B>,
    answer: (req: Request, body: z.infer<B>) => Promise<unknown>,
  ): void => mount(spec, answering(spec, answer));
}
