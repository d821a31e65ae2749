import type { Request } from 'express';
import type { AuthUser } from '@canaduck/auth';
import { UnauthorizedError } from '@canaduck/errors';
import type { RequestMeta } from '../domain/user-directory';

export function metaOf(req: Request): RequestMeta {
  const id = req.headers['x-request-id'];
  return { requestId: typeof id === 'string' ? id : undefined, ip: req.ip };
}

/** The verified caller; routes that call this sit behind requireAuth(). */
export function callerOf(req: Request): AuthUser {
  if (!req.auth) throw new UnauthorizedError('authentication required: send "Authorization: Bearer <token>"', 'token_missing');
  return req.auth;
}

export function param(req: Request, name: string): string {
  const value = req.params[name];
  return typeof value === 'string' ? value : '';
}
