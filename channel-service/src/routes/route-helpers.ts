import type { Request } from 'express';
import { hasRole } from '@canaduck/auth';
import { UnauthorizedError } from '@canaduck/errors';
import { pseudoKey, single } from '@canaduck/service-kit';
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
