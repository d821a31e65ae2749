import { Router } from 'express';
import { requireService } from '@canaduck/auth';
import { parseInput } from '@canaduck/service-kit';
import { internalUser, recordActivity } from '../domain/presence-service';
import type { UserContext } from '../domain/user-context';
import { activitySchema } from '../domain/user-schemas';
import { param } from './route-helpers';

/** Routes for the other services only (service token); the gateway never routes /internal/. */
export function internalRoutes(ctx: UserContext, serviceSecret: string): Router {
  const router = Router();
  router.use('/internal', requireService(serviceSecret));

  /**
   * @openapi
   * /internal/users/{pseudo}:
   *   get:
   *     tags: [internal]
   *     summary: Does this user exist (service token only)
   *     security: [{ serviceToken: [] }]
   *     parameters: [{ in: path, name: pseudo, required: true, schema: { type: string } }]
   *     responses:
   *       200:
   *         description: 'The user'
   *         content:
   *           application/json:
   *             schema:
   *               type: object
   *               properties:
   *                 pseudo: { type: string, example: roger }
   *                 roles: { type: array, items: { type: string }, example: [user] }
   *                 status: { type: string, example: online }
   *       401: { description: 'No service token, or a user token', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   *       404: { description: 'Unknown or deleted user', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   */
  router.get('/internal/users/:pseudo', async (req, res) => {
    res.json(await internalUser(ctx, param(req, 'pseudo')));
  });

  /**
   * @openapi
   * /internal/activity:
   *   post:
   *     tags: [internal]
   *     summary: Record a batch of user activity (service token only)
   *     description: 'Moves last_seen forward to at (default now; a future at counts as now), never back.'
   *     security: [{ serviceToken: [] }]
   *     requestBody:
   *       required: true
   *       content:
   *         application/json:
   *           schema:
   *             type: object
   *             required: [pseudos]
   *             properties:
   *               pseudos: { type: array, maxItems: 1000, items: { type: string }, example: [roger, ginette] }
   *               at: { type: string, format: date-time }
   *     responses:
   *       200:
   *         description: 'Recorded'
   *         content:
   *           application/json:
   *             schema:
   *               type: object
   *               properties:
   *                 result: { type: string, example: activity recorded }
   *                 updated: { type: integer, example: 2, description: 'accounts whose last_seen moved' }
   *       400: { description: 'pseudos missing or not an array of strings', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   *       401: { description: 'No service token, or a user token', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   *       422: { description: 'More than 1000 pseudos, an invalid pseudo or date', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   */
  router.post('/internal/activity', async (req, res) => {
    const { pseudos, at } = parseInput(activitySchema, req.body);
    res.json({ result: 'activity recorded', updated: await recordActivity(ctx, pseudos, at) });
  });

  return router;
}
