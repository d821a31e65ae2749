import { Router, type Request } from 'express';
import type { z } from 'zod';
import { authenticate, hasRole, type TokenSettings } from '@canaduck/auth';
import { BadRequestError, ForbiddenError, UnauthorizedError } from '@canaduck/errors';
import { parseQuery, single, type ApiDocs, type DocAnswer } from '@canaduck/service-kit';
import type { StatsService } from '../domain/stats-service';
import type { Scope } from '../repositories/stats-repository';
import {
  activeChannelsAnswer,
  activeChannelsQuery,
  hourlyActivityAnswer,
  hourlyActivityQuery,
  includePrivateParam,
  limitParam,
  MAX_LIMIT,
  messagesPerUserAnswer,
  rankingQuery,
  sinceParam,
  topReactedMessagesAnswer,
} from './schemas';

export interface StatsRoutesDeps {
  stats: StatsService;
  tokens: TokenSettings;
  docs: ApiDocs;
}

/** One query parameter through its schema; a bad value answers that parameter's own error. */
function param<T extends z.ZodTypeAny>(schema: T, req: Request, name: string, error: () => Error): z.infer<T> {
  const parsed = schema.safeParse(single(req.query[name]));
  if (!parsed.success) throw error();
  return parsed.data;
}

const limitOf = (req: Request): number =>
  param(limitParam, req, 'limit', () => new BadRequestError(`invalid limit: an integer between 1 and ${MAX_LIMIT}`, 'invalid_paging'));

const sinceOf = (req: Request): number | null => {
  const since = param(
    sinceParam,
    req,
    'since',
    () => new BadRequestError('since must be an ISO 8601 date, e.g. 2026-11-24T17:00:00.000Z', 'invalid_since'),
  );
  return since === undefined ? null : Date.parse(since);
};

/** `include_private=true` is for admins only: anonymous -> 401, other users -> 403. */
function scopeOf(req: Request): Scope {
  const wanted = param(
    includePrivateParam,
    req,
    'include_private',
    () => new BadRequestError('include_private must be true or false', 'invalid_include_private'),
  );
  if (wanted !== 'true') return { includePrivate: false };
  if (!req.auth) throw new UnauthorizedError('include_private=true needs an admin token', 'token_missing');
  if (!hasRole(req.auth, 'admin')) throw new ForbiddenError('include_private=true is for admins only', 'role_required');
  return { includePrivate: true };
}

/** The error answers every stats route shares. */
const errors: Record<number, DocAnswer> = {
  400: 'bad parameter',
  401: 'include_private=true without a token, or an invalid token',
  403: 'include_private=true without the admin role',
};

export function statsRoutes({ stats, tokens, docs }: StatsRoutesDeps): Router {
  const router = Router();
  router.use('/stats', authenticate(tokens));
  const tags = ['stats'];
  const auth = 'optional-user';

  docs.route({
    method: 'get',
    path: '/stats/active-channels',
    summary: 'Channels ranked by number of messages (public channels; all current channels for admins with include_private)',
    tags,
    auth,
    query: activeChannelsQuery,
    responses: { 200: { description: 'the ranking', schema: docs.schema('ActiveChannels', activeChannelsAnswer) }, ...errors },
  });
  router.get('/stats/active-channels', async (req, res) => {
    const scope = scopeOf(req);
    res.json(await stats.activeChannels(scope, limitOf(req), sinceOf(req)));
  });

  docs.route({
    method: 'get',
    path: '/stats/hourly-activity',
    summary: 'Messages per UTC hour over the last `hours` hours, oldest first, empty hours included',
    tags,
    auth,
    query: hourlyActivityQuery,
    responses: {
      200: { description: 'one bucket per hour', schema: docs.schema('HourlyActivity', hourlyActivityAnswer) },
      ...errors,
      422: 'hours outside 1..168',
    },
  });
  router.get('/stats/hourly-activity', async (req, res) => {
    const scope = scopeOf(req);
    const { hours } = parseQuery(hourlyActivityQuery.pick({ hours: true }), req.query);
    res.json(await stats.hourlyActivity(scope, hours));
  });

  docs.route({
    method: 'get',
    path: '/stats/messages-per-user',
    summary: 'Users ranked by number of messages',
    tags,
    auth,
    query: rankingQuery,
    responses: { 200: { description: 'the ranking', schema: docs.schema('MessagesPerUser', messagesPerUserAnswer) }, ...errors },
  });
  router.get('/stats/messages-per-user', async (req, res) => {
    const scope = scopeOf(req);
    res.json(await stats.messagesPerUser(scope, limitOf(req)));
  });

  docs.route({
    method: 'get',
    path: '/stats/top-reacted-messages',
    summary: 'Messages ranked by number of reactions (at least one)',
    tags,
    auth,
    query: rankingQuery,
    responses: { 200: { description: 'the ranking', schema: docs.schema('TopReactedMessages', topReactedMessagesAnswer) }, ...errors },
  });
  router.get('/stats/top-reacted-messages', async (req, res) => {
    const scope = scopeOf(req);
    res.json(await stats.topReactedMessages(scope, limitOf(req)));
  });

  return router;
}
