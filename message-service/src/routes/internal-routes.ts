import type { Express } from 'express';
import { requireService } from '@canaduck/auth';
import { BadRequestError } from '@canaduck/errors';
import { single } from '@canaduck/service-kit';
import type { EventFeed } from '../domain/event-feed';

const INT = /^(0|[1-9][0-9]{0,15})$/;

export function internalRoutes(app: Express, feed: EventFeed, serviceSecret: string): void {
  /**
   * @openapi
   * /internal/events:
   *   get:
   *     summary: The message event feed (transactional outbox), in strictly increasing seq order
   *     security: [{ serviceToken: [] }]
   *     parameters:
   *       - { in: query, name: after, schema: { type: integer, default: 0 } }
   *       - { in: query, name: limit, schema: { type: integer, default: 500, maximum: 5000 } }
   *     responses:
   *       200: { description: "{ events: [{ seq, type, at, data }], last_seq }" }
   *       400: { description: Bad after or limit }
   *       401: { description: 'No service token, or a user token' }
   */
  app.get('/internal/events', requireService(serviceSecret), async (req, res) => {
    const afterRaw = single(req.query.after) ?? '0';
    const limitRaw = single(req.query.limit) ?? '500';
    if (!INT.test(afterRaw) || !INT.test(limitRaw) || Number(limitRaw) < 1 || Number(limitRaw) > 5000) {
      throw new BadRequestError('after must be an integer >= 0 and limit between 1 and 5000', 'invalid_paging');
    }
    res.json(await feed.read(Number(afterRaw), Number(limitRaw)));
  });
}
