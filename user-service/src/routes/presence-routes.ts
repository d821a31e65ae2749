import { Router, type RequestHandler } from 'express';
import { requireAuth } from '@canaduck/auth';
import { BadRequestError } from '@canaduck/errors';
import { parseInput, single, type ApiDocs } from '@canaduck/service-kit';
import type { PresenceService } from '../domain/presence-service';
import { callerOf, param } from './route-helpers';
import { isonAnswerSchema, isonQuerySchema, pseudoParamsSchema, seenAnswerSchema, statusAnswerSchema, statusSchema } from './schemas';

export interface PresenceRoutesDeps {
  presence: PresenceService;
  authenticate: RequestHandler;
  docs: ApiDocs;
}

/** Presence: last activity, who is online, one's own status. */
export function presenceRoutes({ presence, authenticate, docs }: PresenceRoutesDeps): Router {
  const router = Router();
  const tags = ['presence'];

  docs.route({
    method: 'get',
    path: '/seen/:pseudo',
    tags,
    auth: 'optional-user',
    summary: 'When a user was last active',
    description:
      'Activity: login, status changes, and authenticated requests reported by the gateway. last_seen is null for a user never logged in.',
    params: pseudoParamsSchema,
    responses: {
      200: { description: 'Last activity', schema: seenAnswerSchema },
      401: 'An invalid token was sent',
      404: 'Unknown or deleted user',
    },
  });
  router.get('/seen/:pseudo', authenticate, async (req, res) => {
    res.json(await presence.seen(param(req, 'pseudo')));
  });

  docs.route({
    method: 'get',
    path: '/ison',
    tags,
    auth: 'optional-user',
    summary: 'Which of these users are online',
    description:
      'Online: status not offline and seen within PRESENCE_TIMEOUT. Names that are not valid pseudos are ignored; the answer keeps the order asked and the stored case.',
    query: isonQuerySchema,
    responses: {
      200: { description: 'The online ones', schema: isonAnswerSchema },
      400: 'users missing or given twice',
      401: 'An invalid token was sent',
      422: 'More than 100 names (code too_many_names)',
    },
  });
  router.get('/ison', authenticate, async (req, res) => {
    // `single`, not the schema: a parameter given twice arrives as an array and is a 400 with this message.
    const users = single(req.query.users);
    if (users === undefined) throw new BadRequestError('query parameter users is required: ?users=roger,ginette', 'invalid_input');
    res.json(await presence.ison(users));
  });

  docs.route({
    method: 'post',
    path: '/user/status',
    tags,
    auth: 'user',
    summary: "Set the caller's status",
    body: statusSchema,
    responses: {
      200: { description: 'The new status', schema: statusAnswerSchema },
      400: 'status missing or not a string',
      401: 'No or bad token, or deleted account',
      422: 'Empty, longer than 64 characters, or with control characters',
    },
  });
  router.post('/user/status', authenticate, requireAuth(), async (req, res) => {
    const { status } = parseInput(statusSchema, req.body);
    res.json(await presence.setStatus(callerOf(req), status));
  });

  return router;
}
