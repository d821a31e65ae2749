import { Router, type RequestHandler } from 'express';
import { requireAuth } from '@canaduck/auth';
import { BadRequestError } from '@canaduck/errors';
import { parseInput, single } from '@canaduck/service-kit';
import { ison, seen, setStatus } from '../domain/presence-service';
import type { UserContext } from '../domain/user-context';
import { statusSchema } from '../domain/user-schemas';
import { callerOf, param } from './route-helpers';

/** Presence: last activity, who is online, one's own status. */
export function presenceRoutes(ctx: UserContext, authenticate: RequestHandler): Router {
  const router = Router();

  /**
   * @openapi
   * /seen/{pseudo}:
   *   get:
   *     tags: [presence]
   *     summary: When a user was last active
   *     description: 'Activity: login, status changes, and authenticated requests reported by the gateway. last_seen is null for a user never logged in.'
   *     parameters: [{ in: path, name: pseudo, required: true, schema: { type: string } }]
   *     responses:
   *       200:
   *         description: 'Last activity'
   *         content:
   *           application/json:
   *             schema:
   *               type: object
   *               properties:
   *                 pseudo: { type: string, example: roger }
   *                 last_seen: { type: string, format: date-time, nullable: true }
   *       401: { description: 'An invalid token was sent', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   *       404: { description: 'Unknown or deleted user', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   */
  router.get('/seen/:pseudo', authenticate, async (req, res) => {
    res.json(await seen(ctx, param(req, 'pseudo')));
  });

  /**
   * @openapi
   * /ison:
   *   get:
   *     tags: [presence]
   *     summary: Which of these users are online
   *     description: 'Online: status not offline and seen within PRESENCE_TIMEOUT. Names that are not valid pseudos are ignored; the answer keeps the order asked and the stored case.'
   *     parameters:
   *       - { in: query, name: users, required: true, schema: { type: string }, example: 'roger,ginette', description: 'comma-separated pseudos, at most 100' }
   *     responses:
   *       200:
   *         description: 'The online ones'
   *         content:
   *           application/json:
   *             schema:
   *               type: object
   *               properties:
   *                 online: { type: array, items: { type: string }, example: [roger] }
   *       400: { description: 'users missing or given twice', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   *       401: { description: 'An invalid token was sent', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   *       422: { description: 'More than 100 names (code too_many_names)', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   */
  router.get('/ison', authenticate, async (req, res) => {
    const users = single(req.query.users);
    if (users === undefined) throw new BadRequestError('query parameter users is required: ?users=roger,ginette', 'invalid_input');
    res.json(await ison(ctx, users));
  });

  /**
   * @openapi
   * /user/status:
   *   post:
   *     tags: [presence]
   *     summary: Set the caller's status
   *     security: [{ bearerAuth: [] }]
   *     requestBody:
   *       required: true
   *       content:
   *         application/json:
   *           schema:
   *             type: object
   *             required: [status]
   *             properties:
   *               status: { type: string, example: away, description: 'online, away, idle, busy, offline, or a free text of 1 to 64 characters' }
   *     responses:
   *       200:
   *         description: 'The new status'
   *         content:
   *           application/json:
   *             schema:
   *               type: object
   *               properties:
   *                 pseudo: { type: string, example: roger }
   *                 status: { type: string, example: away }
   *       400: { description: 'status missing or not a string', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   *       401: { description: 'No or bad token, or deleted account', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   *       422: { description: 'Empty, longer than 64 characters, or with control characters', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   */
  router.post('/user/status', authenticate, requireAuth(), async (req, res) => {
    const { status } = parseInput(statusSchema, req.body);
    res.json(await setStatus(ctx, callerOf(req), status));
  });

  return router;
}
