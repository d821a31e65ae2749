import { Router } from 'express';
import type { ServiceKeys } from '@canaduck/auth';
import {
  accessBatchRequestSchema,
  INTERNAL_CALLERS,
  channelAccessParamsSchema,
  channelAccessQuerySchema,
  channelVisibilityQuerySchema,
  MAX_ACCESS_BATCH,
  MAX_CHANNEL_NAMES,
  publicChannelsOfUserParamsSchema,
  userChannelsQuerySchema,
} from '@canaduck/contracts';
import { BadRequestError } from '@canaduck/errors';
import { internalRouteMounter, parseInput, single } from '@canaduck/service-kit';
import type { AccessService } from '../domain/access-service';
import { param } from './route-helpers';
import type { RouteDocs } from './schemas';

export interface InternalRoutesDeps extends RouteDocs {
  access: AccessService;
  /** This service's keys: each route takes the tokens of the services INTERNAL_CALLERS names. */
  serviceKeys: ServiceKeys;
}

/** Internal routes (structures.md 5): service token only, never routed by the gateway; shapes from @canaduck/contracts. */
export function internalRoutes({ access, serviceKeys, docs, answers }: InternalRoutesDeps): Router {
  const r = Router();
  const route = internalRouteMounter({ router: r, docs, serviceKeys, callers: INTERNAL_CALLERS['channel-service'] });

  route(
    {
      method: 'get',
      path: '/internal/channels/:name/access/:pseudo',
      summary: 'What a pseudo may do in a channel (message-service, stats-service); an unknown channel is exists=false',
      params: channelAccessParamsSchema,
      query: channelAccessQuerySchema,
      responses: {
        200: { description: 'the access decision', schema: answers.channelAccess },
        400: 'admin is not true or false',
      },
    },
    async (req, res) => {
      const query = channelAccessQuerySchema.safeParse({ admin: single(req.query.admin) });
      if (!query.success) throw new BadRequestError('admin must be true or false', 'invalid_query');
      res.json(await access.access(param(req, 'name'), param(req, 'pseudo'), query.data.admin === 'true'));
    },
  );

  route(
    {
      method: 'post',
      path: '/internal/access/batch',
      summary: `The access decision of up to ${MAX_ACCESS_BATCH} pseudos in one channel (realtime-service), one answer per ask in order`,
      body: accessBatchRequestSchema,
      responses: {
        200: { description: 'the access decisions', schema: answers.accessBatch },
        400: 'malformed body (a missing field, a wrong type, an unknown field)',
        422: `no asks, more than ${MAX_ACCESS_BATCH}, or an empty pseudo or channel`,
      },
    },
    async (req, res) => {
      res.json(await access.accessBatch(parseInput(accessBatchRequestSchema, req.body)));
    },
  );

  route(
    {
      method: 'get',
      path: '/internal/users/:pseudo/channels',
      summary: 'The channels a user is a member of: public non-secret ones (whois), or all with scope=all (realtime-service)',
      params: publicChannelsOfUserParamsSchema,
      query: userChannelsQuerySchema,
      responses: {
        200: { description: 'channel names', schema: answers.publicChannelsOfUser },
        400: 'scope is not public or all',
      },
    },
    async (req, res) => {
      const query = userChannelsQuerySchema.safeParse({ scope: single(req.query.scope) });
      if (!query.success) throw new BadRequestError('scope must be public or all', 'invalid_query');
      res.json(await access.channelsOf(param(req, 'pseudo'), query.data.scope === 'all'));
    },
  );

  route(
    {
      method: 'get',
      path: '/internal/users/:pseudo/memberships',
      summary: "Every channel a user is a member of, secret ones included, with the user's role (the IRC door's guest clean-up)",
      params: publicChannelsOfUserParamsSchema,
      responses: { 200: { description: 'channels and roles', schema: answers.userMemberships } },
    },
    async (req, res) => {
      res.json(await access.membershipsOf(param(req, 'pseudo')));
    },
  );

  route(
    {
      method: 'get',
      path: '/internal/channels',
      summary: 'Visibility of existing channels (stats privacy); unknown names are left out',
      query: channelVisibilityQuerySchema,
      responses: {
        200: { description: 'the known channels', schema: answers.channelVisibilityList },
        400: `names missing or more than ${MAX_CHANNEL_NAMES}`,
      },
    },
    async (req, res) => {
      const query = channelVisibilityQuerySchema.safeParse({ names: single(req.query.names) });
      if (!query.success) throw new BadRequestError('names is required: ?names=tech,general', 'invalid_query');
      const names = query.data.names
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean);
      if (names.length > MAX_CHANNEL_NAMES) throw new BadRequestError(`at most ${MAX_CHANNEL_NAMES} names`, 'invalid_query');
      res.json(await access.visibility(names));
    },
  );

  return r;
}
