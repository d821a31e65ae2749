import { Router } from 'express';
import { z } from 'zod';
import type { ServiceKeys } from '@canaduck/auth';
import { INTERNAL_CALLERS } from '@canaduck/contracts';
import { BadRequestError } from '@canaduck/errors';
import { type ApiDocs, extendDeadline, internalRouteMounter } from '@canaduck/service-kit';
import type { EventBackbone } from './event-backbone';

const integer = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,15})$/)
  .transform(Number);

export const feedQuerySchema = z.object({
  after: integer.default('0').describe('deliver events with seq > after'),
  limit: integer
    .default('500')
    .refine((n) => n >= 1 && n <= 5000)
    .describe('at most this many events (1 to 5000)'),
  wait: z
    .string()
    .regex(/^[0-9]{1,2}(\.[0-9]{1,3})?$/)
    .transform(Number)
    .refine((n) => n <= 30)
    .default('0')
    .describe('seconds to wait for an event when there is none yet (long poll, at most 30)'),
});

export const streamEventSchema = z.object({
  service: z.enum(['user', 'channel', 'message']),
  seq: z.number().int().positive(),
  type: z.string(),
  at: z.string(),
  // An object whose fields depend on `type` (structures.md section 5, asyncapi.yaml).
  data: z.object({}).passthrough().describe('the payload of this event type'),
});

export const feedPageSchema = z.object({ events: z.array(streamEventSchema), last_seq: z.number().int().nonnegative() });

export interface EventFeedRouteOptions {
  /** This service's keys: the feed takes tokens addressed to it, signed by a known service. */
  serviceKeys: ServiceKeys;
  /**
   * Only these calling services may read the feed (403 service_not_allowed); by default the
   * readers INTERNAL_CALLERS names for this service's `GET /internal/events`.
   */
  allowedCallers?: readonly string[];
  docs?: ApiDocs;
}

/**
 * GET /internal/events?after=&limit=&wait= : the service's stream, dense seq order, long-polled.
 * A cursor older than retention gets 410 resync_required with `first_available`.
 */
export function eventFeedRoutes(backbone: EventBackbone, o: EventFeedRouteOptions): Router {
  const router = Router();
  const allowedCallers = o.allowedCallers ?? INTERNAL_CALLERS[`${backbone.service}-service`]['GET /internal/events'];
  const route = internalRouteMounter({
    router,
    docs: o.docs,
    serviceKeys: o.serviceKeys,
    callers: { 'GET /internal/events': allowedCallers },
  });
  route(
    {
      method: 'get',
      path: '/internal/events',
      summary: `The ${backbone.service} event stream (transactional outbox), dense seq in commit order; long poll with wait`,
      query: feedQuerySchema,
      responses: {
        200: { description: 'events with seq > after (none after wait seconds)', schema: o.docs?.schema('EventFeedPage', feedPageSchema) },
        400: 'after, limit or wait malformed',
        410: 'the cursor is older than retention: resync (body carries first_available)',
      },
    },
    async (req, res) => {
      const query = feedQuerySchema.safeParse({
        after: single(req.query.after),
        limit: single(req.query.limit),
        wait: single(req.query.wait),
      });
      if (!query.success) {
        throw new BadRequestError('after must be an integer >= 0, limit between 1 and 5000 and wait between 0 and 30 s', 'invalid_paging');
      }
      // A long poll answers late on purpose: the service's request deadline starts after the wait.
      extendDeadline(res, query.data.wait * 1000);
      // The reader hung up: stop waiting for it.
      const abort = new AbortController();
      res.on('close', () => abort.abort());
      const page = await backbone.read(query.data.after, { limit: query.data.limit, waitMs: query.data.wait * 1000, signal: abort.signal });
      if (!res.writableEnded && !abort.signal.aborted) res.json(page);
    },
  );
  return router;
}

function single(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
