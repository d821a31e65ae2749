import type { Request, Router } from 'express';
import type { z } from 'zod';
import { hasRole, requireAuth } from '@canaduck/auth';
import { UnauthorizedError } from '@canaduck/errors';
import { type ApiDocs, type DocRoute, parseInput, pseudoKey, single } from '@canaduck/service-kit';
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

/** A write route's document; its `body` schema is also what the route validates the body with. */
export type UserRouteSpec<B extends z.ZodTypeAny> = Omit<DocRoute, 'auth' | 'body'> & { body?: B };

/**
 * Mounts write routes (a user token required) the one way, from their document, so the two never
 * disagree: guarded by requireAuth as the `user` route it documents (with the shared 401 answer),
 * the body validated with the schema it documents, and answered with the one 2xx status it
 * documents. `answer` only calls the domain; what it returns is the JSON answer.
 */
export function userRouteMounter(router: Router, docs: ApiDocs) {
  return <B extends z.ZodTypeAny = z.ZodUnknown>(
    spec: UserRouteSpec<B>,
    answer: (req: Request, body: z.infer<B>) => Promise<unknown>,
  ): void => {
    const successes = Object.keys(spec.responses).filter((status) => status.startsWith('2'));
    // A second success status could not be told apart here: fail at start-up, not per call.
    if (successes.length !== 1) {
      throw new Error(`${spec.method.toUpperCase()} ${spec.path} documents ${successes.length} success statuses, not one`);
    }
    const status = Number(successes[0]);
    docs.route({ ...spec, auth: 'user', responses: { 401: 'no or bad token', ...spec.responses } });
    router[spec.method](spec.path, requireAuth(), async (req, res) => {
      const body: z.infer<B> = spec.body ? parseInput(spec.body, req.body) : undefined;
      res.status(status).json(await answer(req, body));
    });
  };
}
