import type { Request } from 'express';
import { hasRole } from '@canaduck/auth';
import { UnauthorizedError } from '@canaduck/errors';
import { pseudoKey, pseudoSchema, single } from '@canaduck/service-kit';
import { z } from 'zod';
import type { Actor } from '../domain/channel-policy';

export const MAX_TOPIC = 300;
export const MAX_REASON = 300;

/** Counts characters as people do (an emoji is one), not UTF-16 units. */
function chars(s: string): number {
  return [...s].length;
}

// Control characters (newlines included) would break IRC-style one-line display.
const CONTROL = /[\u0000-\u001f\u007f]/;

export const topicSchema = z
  .string()
  .refine((s) => chars(s) <= MAX_TOPIC, `a topic has at most ${MAX_TOPIC} characters`)
  .refine((s) => !CONTROL.test(s), 'a topic is one line without control characters');

export const reasonSchema = z
  .string()
  .refine((s) => chars(s) <= MAX_REASON, `a reason has at most ${MAX_REASON} characters`)
  .refine((s) => !CONTROL.test(s), 'a reason is one line without control characters');

export const pseudoBody = z.object({ pseudo: pseudoSchema });

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
