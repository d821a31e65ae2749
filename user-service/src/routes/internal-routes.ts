import { Router } from 'express';
import type { ServiceKeys } from '@canaduck/auth';
import {
  INTERNAL_CALLERS,
  activityRecordedSchema,
  activityReportSchema,
  guestClaimSchema,
  guestCreatedSchema,
  guestDeletedSchema,
  guestLeaseRenewalSchema,
  guestLeasesRenewedSchema,
  guestRequestSchema,
  guestsClaimedSchema,
  internalUserAnswerSchema,
  userTokenStateSchema,
} from '@canaduck/contracts';
import { internalRouteMounter, parseInput, type ApiDocs } from '@canaduck/service-kit';
import type { AccountService } from '../domain/account-service';
import type { GuestService } from '../domain/guest-service';
import type { PresenceService } from '../domain/presence-service';
import { param } from './route-helpers';
import { pseudoParamsSchema } from './schemas';

export interface InternalRoutesDeps {
  presence: PresenceService;
  accounts: AccountService;
  guests: GuestService;
  /** This service's keys: each route takes the tokens of the services INTERNAL_CALLERS names. */
  serviceKeys: ServiceKeys;
  docs: ApiDocs;
}

/** Routes for the other services only (service token); the gateway never routes /internal/. */
export function internalRoutes({ presence, accounts, guests, serviceKeys, docs }: InternalRoutesDeps): Router {
  const router = Router();
  const route = internalRouteMounter({ router, docs, serviceKeys, callers: INTERNAL_CALLERS['user-service'] });
  const tags = ['internal'];

  route(
    {
      method: 'get',
      path: '/internal/users/:pseudo',
      tags,
      summary: 'Does this user exist (service token only)',
      params: pseudoParamsSchema,
      responses: {
        200: { description: 'The user', schema: internalUserAnswerSchema },
        404: 'Unknown or deleted user',
      },
    },
    async (req, res) => {
      res.json(await presence.internalUser(param(req, 'pseudo')));
    },
  );

  route(
    {
      method: 'get',
      path: '/internal/users/:pseudo/token-state',
      tags,
      summary: "A user's token state: deleted, current roles, last revocation (service token only)",
      description:
        'What a service asks for a token carrying admin while its revocation map is stale (the user stream unreachable). Deleted accounts answer 200 with deleted: true.',
      params: pseudoParamsSchema,
      responses: {
        200: { description: 'The token state', schema: docs.schema('UserTokenState', userTokenStateSchema) },
        404: 'No account ever had this pseudo',
      },
    },
    async (req, res) => {
      res.json(await accounts.tokenState(param(req, 'pseudo')));
    },
  );

  route(
    {
      method: 'post',
      path: '/internal/activity',
      tags,
      summary: 'Record a batch of user activity (service token only)',
      description: 'Moves last_seen forward to at (default now; a future at counts as now), never back.',
      body: activityReportSchema,
      responses: {
        200: { description: 'Recorded', schema: activityRecordedSchema },
        400: 'pseudos missing or not an array of strings',
        422: 'More than 1000 pseudos, an invalid pseudo or date',
      },
    },
    async (req, res) => {
      const { pseudos, at } = parseInput(activityReportSchema, req.body);
      res.json(await presence.recordActivity(pseudos, at));
    },
  );

  route(
    {
      method: 'post',
      path: '/internal/guests',
      tags,
      summary: 'Create a guest: a temporary account for an IRC client without credentials (service token only)',
      description:
        'The guest is leased to the door instance `owner` for `lease_seconds`; the door renews the lease while the client is connected.',
      body: guestRequestSchema,
      responses: {
        201: { description: 'The guest, online, and its token', schema: guestCreatedSchema },
        400: 'pseudo or password missing',
        409: 'The pseudo is taken (registered, deleted or another guest): pseudo_taken',
        422: 'Invalid pseudo, password too short',
      },
    },
    async (req, res) => {
      res.status(201).json(await guests.create(parseInput(guestRequestSchema, req.body)));
    },
  );

  route(
    {
      method: 'delete',
      path: '/internal/guests/:pseudo',
      tags,
      summary: 'Delete a guest when its client leaves: gone from whois, pseudo free again (service token only)',
      params: pseudoParamsSchema,
      responses: {
        200: { description: 'Deleted', schema: guestDeletedSchema },
        404: 'No guest has this pseudo (registered accounts are never deleted here): user_not_found',
      },
    },
    async (req, res) => {
      const pseudo = param(req, 'pseudo');
      await guests.delete(pseudo);
      res.json({ result: `guest ${pseudo} deleted` });
    },
  );

  route(
    {
      method: 'post',
      path: '/internal/guests/leases',
      tags,
      summary: 'Renew the leases of the guests a door still holds (service token only)',
      description: 'Only the leases `owner` holds move on; a guest missing from `renewed` was claimed by another door and is gone.',
      body: guestLeaseRenewalSchema,
      responses: {
        200: { description: 'The guests renewed', schema: guestLeasesRenewedSchema },
        400: 'owner, lease_seconds or pseudos missing',
        422: 'More than 1000 pseudos, a lease out of 1..3600 s',
      },
    },
    async (req, res) => {
      const { owner, pseudos, lease_seconds } = parseInput(guestLeaseRenewalSchema, req.body);
      res.json(await guests.renew(owner, pseudos, lease_seconds));
    },
  );

  route(
    {
      method: 'post',
      path: '/internal/guests/expired',
      tags,
      summary:
        'Claim the guests whose lease ran out (their door died), to make them leave their channels and delete them (service token only)',
      description:
        'Each claimed guest is leased to the claimer for `lease_seconds` and comes with a token of its own; `reclaim_own` also claims every guest of `owner` (a door started again under the same instance id).',
      body: guestClaimSchema,
      responses: {
        200: { description: 'The guests claimed, with their tokens', schema: guestsClaimedSchema },
        400: 'owner or lease_seconds missing',
        422: 'A lease out of 1..3600 s, a limit out of 1..200',
      },
    },
    async (req, res) => {
      res.json(await guests.claimExpired(parseInput(guestClaimSchema, req.body)));
    },
  );

  return router;
}
