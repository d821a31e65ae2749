import { Router } from 'express';
import { requireService } from '@canaduck/auth';
import { eventsPageSchema, eventsQuerySchema } from '@canaduck/contracts';
import { BadRequestError } from '@canaduck/errors';
import { type ApiDocs, single } from '@canaduck/service-kit';
import type { EventFeedService } from '../domain/event-feed-service';

export interface InternalRoutesDeps {
  feed: EventFeedService;
  serviceSecret: string;
  docs: ApiDocs;
}

/** Routes for other services (service token): the event feed (structures.md section 5). */
export function internalRoutes({ feed, serviceSecret, docs }: InternalRoutesDeps): Router {
  const router = Router();

  docs.route({
    method: 'get',
    path: '/internal/events',
    summary: 'The message event feed (transactional outbox), in strictly increasing seq order',
    auth: 'service',
    query: eventsQuerySchema,
    responses: {
      200: { description: 'The events after `after`, and the last seq returned', schema: docs.schema('EventsPage', eventsPageSchema) },
      400: 'Bad after or limit',
      401: 'No service token, or a user token',
    },
  });
  router.get('/internal/events', requireService(serviceSecret), async (req, res) => {
    const q = eventsQuerySchema.safeParse({ after: single(req.query.after), limit: single(req.query.limit) });
    if (!q.success) throw new BadRequestError('after must be an integer >= 0 and limit between 1 and 5000', 'invalid_paging');
    res.json(await feed.read(q.data.after, q.data.limit));
  });

  return router;
}
