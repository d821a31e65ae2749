import { Router } from 'express';
import { requireService, type ServiceKeys } from '@canaduck/auth';
import {
  INTERNAL_CALLERS,
  activityRecordedSchema,
  activityReportSchema,
  guestCreatedSchema,
  guestDeletedSchema,
  guestRequestSchema,
  internalUserAnswerSchema,
  userTokenStateSchema,
} from '@canaduck/contracts';
import { parseInput, type ApiDocs } from '@canaduck/service-kit';
import type { AccountService } from '../domain/account-service';
import type { PresenceService } from '../domain/presence-service';
import { param } from './route-helpers';
import { pseudoParamsSchema } from './schemas';

export interface InternalRoutesDeps {
  presence: PresenceService;
  accounts: AccountService;
  /** This service's keys: each route takes the tokens of the services INTERNAL_CALLERS names. */
  serviceKeys: ServiceKeys;
  docs: ApiDocs;
}

/** Routes for the other services only (service token); the gateway never routes /internal/. */
export function internalRoutes({ presence, accounts, serviceKeys, docs }: InternalRoutesDeps): Router {
  const router = Router();
  const callers = INTERNAL_CALLERS['user-service'];
  const tags = ['internal'];

  docs.route({
    method: 'get',
    path: '/internal/users/:pseudo',
    tags,
    auth: 'service',
    summary: 'Does this user exist (service token only)',
    params: pseudoParamsSchema,
    responses: {
      200: { description: 'The user', schema: internalUserAnswerSchema },
      401: 'No service token, or a user token',
      403: 'a service this route does not serve (service_not_allowed)',
      404: 'Unknown or deleted user',
    },
  });
  router.get('/internal/users/:pseudo', requireService(serviceKeys, callers['GET /internal/users/:pseudo']), async (req, res) => {
    res.json(await presence.internalUser(param(req, 'pseudo')));
  });

  docs.route({
    method: 'get',
    path: '/internal/users/:pseudo/token-state',
    tags,
    auth: 'service',
    summary: "A user's token state: deleted, current roles, last revocation (service token only)",
    description:
      'What a service asks for a token carrying admin while its revocation map is stale (the user stream unreachable). Deleted accounts answer 200 with deleted: true.',
    params: pseudoParamsSchema,
    responses: {
      200: { description: 'The token state', schema: docs.schema('UserTokenState', userTokenStateSchema) },
      401: 'No service token, or a user token',
      403: 'a service this route does not serve (service_not_allowed)',
      404: 'No account ever had this pseudo',
    },
  });
  router.get(
    '/internal/users/:pseudo/token-state',
    requireService(serviceKeys, callers['GET /internal/users/:pseudo/token-state']),
    async (req, res) => {
      res.json(await accounts.tokenState(param(req, 'pseudo')));
    },
  );

  docs.route({
    method: 'post',
    path: '/internal/activity',
    tags,
    auth: 'service',
    summary: 'Record a batch of user activity (service token only)',
    description: 'Moves last_seen forward to at (default now; a future at counts as now), never back.',
    body: activityReportSchema,
    responses: {
      200: { description: 'Recorded', schema: activityRecordedSchema },
      400: 'pseudos missing or not an array of strings',
      401: 'No service token, or a user token',
      403: 'a service this route does not serve (service_not_allowed)',
      422: 'More than 1000 pseudos, an invalid pseudo or date',
    },
  });
  router.post('/internal/activity', requireService(serviceKeys, callers['POST /internal/activity']), async (req, res) => {
    const { pseudos, at } = parseInput(activityReportSchema, req.body);
    res.json(await presence.recordActivity(pseudos, at));
  });

  docs.route({
    method: 'post',
    path: '/internal/guests',
    tags,
    auth: 'service',
    summary: 'Create a guest: a temporary account for an IRC client without credentials (service token only)',
    body: guestRequestSchema,
    responses: {
      201: { description: 'The guest, online, and its token', schema: guestCreatedSchema },
      400: 'pseudo or password missing',
      401: 'No service token, or a user token',
      403: 'a service this route does not serve (service_not_allowed)',
      409: 'The pseudo is taken (registered, deleted or another guest): pseudo_taken',
      422: 'Invalid pseudo, password too short',
    },
  });
  router.post('/internal/guests', requireService(serviceKeys, callers['POST /internal/guests']), async (req, res) => {
    const { pseudo, password } = parseInput(guestRequestSchema, req.body);
    res.status(201).json(await accounts.createGuest(pseudo, password));
  });

  docs.route({
    method: 'delete',
    path: '/internal/guests/:pseudo',
    tags,
    auth: 'service',
    summary: 'Delete a guest when its client leaves: gone from whois, pseudo free again (service token only)',
    params: pseudoParamsSchema,
    responses: {
      200: { description: 'Deleted', schema: guestDeletedSchema },
      401: 'No service token, or a user token',
      403: 'a service this route does not serve (service_not_allowed)',
      404: 'No guest has this pseudo (registered accounts are never deleted here): user_not_found',
    },
  });
  router.delete('/internal/guests/:pseudo', requireService(serviceKeys, callers['DELETE /internal/guests/:pseudo']), async (req, res) => {
    const pseudo = param(req, 'pseudo');
    await accounts.deleteGuest(pseudo);
    res.json({ result: `guest ${pseudo} deleted` });
  });

  return router;
}
