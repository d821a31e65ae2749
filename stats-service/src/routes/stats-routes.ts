import { Router, type Request } from 'express';
import { z } from 'zod';
import { authenticate, hasRole, type TokenSettings } from '@canaduck/auth';
import { BadRequestError, ForbiddenError, UnauthorizedError } from '@canaduck/errors';
import { parseInput, single } from '@canaduck/service-kit';
import type { StatsService } from '../domain/stats-service';
import type { Scope } from '../repositories/stats-repository';

export const DEFAULT_LIMIT = 10;
export const MAX_LIMIT = 100;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function limitOf(req: Request): number {
  const raw = single(req.query.limit);
  if (raw === undefined) return DEFAULT_LIMIT;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > MAX_LIMIT) {
    throw new BadRequestError(`invalid limit: an integer between 1 and ${MAX_LIMIT}`, 'invalid_paging');
  }
  return n;
}

/** `include_private=true` is for admins only: anonymous -> 401, other users -> 403. */
function scopeOf(req: Request): Scope {
  const raw = single(req.query.include_private);
  if (raw !== undefined && raw !== 'true' && raw !== 'false') {
    throw new BadRequestError('include_private must be true or false', 'invalid_include_private');
  }
  if (raw !== 'true') return { includePrivate: false };
  if (!req.auth) throw new UnauthorizedError('include_private=true needs an admin token', 'token_missing');
  if (!hasRole(req.auth, 'admin')) throw new ForbiddenError('include_private=true is for admins only', 'role_required');
  return { includePrivate: true };
}

function sinceOf(req: Request): number | null {
  const raw = single(req.query.since);
  if (raw === undefined) return null;
  const ms = Date.parse(raw);
  if (!ISO_DATE.test(raw) || Number.isNaN(ms)) {
    throw new BadRequestError('since must be an ISO 8601 date, e.g. 2026-11-24T17:00:00.000Z', 'invalid_since');
  }
  return ms;
}

const hoursSchema = z.object({ hours: z.coerce.number().int().min(1).max(168).default(24) });

/**
 * @openapi
 * components:
 *   parameters:
 *     StatsLimit:
 *       in: query
 *       name: limit
 *       schema: { type: integer, minimum: 1, maximum: 100, default: 10 }
 *     IncludePrivate:
 *       in: query
 *       name: include_private
 *       description: admins only; also counts private messages and private (i) or secret (s) channels
 *       schema: { type: boolean, default: false }
 *   responses:
 *     StatsBadParams: { description: bad parameter, content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
 *     StatsNoToken: { description: 'include_private=true without a token, or an invalid token', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
 *     StatsNotAdmin: { description: include_private=true without the admin role, content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
 */
export function statsRoutes(service: StatsService, tokens: TokenSettings): Router {
  const router = Router();
  router.use('/stats', authenticate(tokens));

  /**
   * @openapi
   * /stats/active-channels:
   *   get:
   *     summary: Channels ranked by number of messages (public channels; all current channels for admins with include_private)
   *     tags: [stats]
   *     parameters:
   *       - $ref: '#/components/parameters/StatsLimit'
   *       - $ref: '#/components/parameters/IncludePrivate'
   *       - in: query
   *         name: since
   *         description: ISO 8601 date; counts messages from the start of that UTC hour
   *         schema: { type: string, format: date-time }
   *     responses:
   *       200:
   *         description: '{ channels: [{ channel, messages, last_message_at }], limit, since?, as_of }'
   *       400: { $ref: '#/components/responses/StatsBadParams' }
   *       401: { $ref: '#/components/responses/StatsNoToken' }
   *       403: { $ref: '#/components/responses/StatsNotAdmin' }
   */
  router.get('/stats/active-channels', async (req, res) => {
    const scope = scopeOf(req);
    res.json(await service.activeChannels(scope, limitOf(req), sinceOf(req)));
  });

  /**
   * @openapi
   * /stats/hourly-activity:
   *   get:
   *     summary: Messages per UTC hour over the last `hours` hours, oldest first, empty hours included
   *     tags: [stats]
   *     parameters:
   *       - in: query
   *         name: hours
   *         schema: { type: integer, minimum: 1, maximum: 168, default: 24 }
   *       - $ref: '#/components/parameters/IncludePrivate'
   *     responses:
   *       200:
   *         description: '{ hours: [{ hour, messages }], as_of }'
   *       400: { $ref: '#/components/responses/StatsBadParams' }
   *       401: { $ref: '#/components/responses/StatsNoToken' }
   *       403: { $ref: '#/components/responses/StatsNotAdmin' }
   *       422: { description: hours outside 1..168, content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   */
  router.get('/stats/hourly-activity', async (req, res) => {
    const scope = scopeOf(req);
    const { hours } = parseInput(hoursSchema, { hours: single(req.query.hours) }, 'query');
    res.json(await service.hourlyActivity(scope, hours));
  });

  /**
   * @openapi
   * /stats/messages-per-user:
   *   get:
   *     summary: Users ranked by number of messages
   *     tags: [stats]
   *     parameters:
   *       - $ref: '#/components/parameters/StatsLimit'
   *       - $ref: '#/components/parameters/IncludePrivate'
   *     responses:
   *       200:
   *         description: '{ users: [{ pseudo, messages }], limit, as_of }'
   *       400: { $ref: '#/components/responses/StatsBadParams' }
   *       401: { $ref: '#/components/responses/StatsNoToken' }
   *       403: { $ref: '#/components/responses/StatsNotAdmin' }
   */
  router.get('/stats/messages-per-user', async (req, res) => {
    const scope = scopeOf(req);
    res.json(await service.messagesPerUser(scope, limitOf(req)));
  });

  /**
   * @openapi
   * /stats/top-reacted-messages:
   *   get:
   *     summary: Messages ranked by number of reactions (at least one)
   *     tags: [stats]
   *     parameters:
   *       - $ref: '#/components/parameters/StatsLimit'
   *       - $ref: '#/components/parameters/IncludePrivate'
   *     responses:
   *       200:
   *         description: '{ messages: [{ id, channel, from, text, reactions_count }], limit, as_of }'
   *       400: { $ref: '#/components/responses/StatsBadParams' }
   *       401: { $ref: '#/components/responses/StatsNoToken' }
   *       403: { $ref: '#/components/responses/StatsNotAdmin' }
   */
  router.get('/stats/top-reacted-messages', async (req, res) => {
    const scope = scopeOf(req);
    res.json(await service.topReactedMessages(scope, limitOf(req)));
  });

  return router;
}
