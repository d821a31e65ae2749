import type { Request } from 'express';
import { hasRole } from '@canaduck/auth';
import { BadRequestError, UnauthorizedError } from '@canaduck/errors';
import { parsePaging, single } from '@canaduck/service-kit';
import emojiRegex from 'emoji-regex';
import type { Actor } from '../domain/access-policy';
import type { PageQuery } from '../repositories/message-repository';

/** The caller from the verified JWT; `admin` comes from its roles, never from the request. */
export function actorOf(req: Request): Actor {
  if (!req.auth) throw new UnauthorizedError('authentication required', 'token_missing');
  const requestId = req.headers['x-request-id'];
  return { pseudo: req.auth.pseudo, admin: hasRole(req.auth, 'admin'), requestId: typeof requestId === 'string' ? requestId : undefined };
}

const POSITIVE_ID = /^[1-9][0-9]{0,15}$/;

/** A message id from the path or the query: a positive integer, else a 400. */
export function idFrom(value: unknown, what = 'message id'): number {
  const s = typeof value === 'string' ? value : undefined;
  if (!s || !POSITIVE_ID.test(s)) throw new BadRequestError(`invalid ${what}: expected a positive integer`, 'invalid_id');
  return Number(s);
}

/** offset/limit (default 50, at most 200) plus the optional `before=<id>` cursor. */
export function pageFrom(query: Request['query']): PageQuery {
  const paging = parsePaging(query);
  const before = single(query.before);
  return before === undefined ? paging : { ...paging, before: idFrom(before, 'before cursor') };
}

const EMOJI = emojiRegex();

/** Exactly one emoji: skin tones, flags, keycaps and ZWJ sequences count as one. */
export function isSingleEmoji(s: string): boolean {
  const found = s.match(EMOJI);
  return found !== null && found.length === 1 && found[0] === s;
}

/** The `Idempotency-Key` header, when given once. */
export function idempotencyKey(req: Request): string | undefined {
  const v = req.headers['idempotency-key'];
  return typeof v === 'string' ? v : undefined;
}
