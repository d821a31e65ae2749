import { Router } from 'express';
import { requireService } from '@canaduck/auth';
import {
  channelAccessParamsSchema,
  channelAccessQuerySchema,
  channelVisibilityQuerySchema,
  MAX_CHANNEL_NAMES,
  publicChannelsOfUserParamsSchema,
} from '@canaduck/contracts';
import { BadRequestError } from '@canaduck/errors';
import { single } from '@canaduck/service-kit';
import type { AccessService } from '../domain/access-service';
import { param } from './route-helpers';
import type { RouteDocs } from './schemas';

export interface InternalRoutesDeps extends RouteDocs {
  access: AccessService;
  serviceSecret: string;
}

/** Internal routes (structures.md 5): service token only, never routed by the gateway; shapes from @canaduck/contracts. */
export function internalRoutes({ access, serviceSecret, docs, answers }: InternalRoutesDeps): Router {
  const r = Router();
  r.use('/internal', requireService(serviceSecret));
  const noToken = 'no service token';

  docs.route({
    method: 'get',
    path: '/internal/channels/:name/access/:pseudo',
    summary: 'What a pseudo may do in a channel (message-service, stats-service); an unknown channel is exists=false',
    auth: 'service',
    params: channelAccessParamsSchema,
    query: channelAccessQuerySchema,
    responses: {
      200: { description: 'the access decision', schema: answers.channelAccess },
      400: 'admin is not true or false',
      401: noToken,
    },
  });
  r.get('/internal/channels/:name/access/:pseudo', async (req, res) => {
    const query = channelAccessQuerySchema.safeParse({ admin: single(req.query.admin) });
    if (!query.success) throw new BadRequestError('admin must be true or false', 'invalid_query');
    res.json(await access.access(param(req, 'name'), param(req, 'pseudo'), query.data.admin === 'true'));
  });

  docs.route({
    method: 'get',
    path: '/internal/users/:pseudo/channels',
    summary: 'The public, non-secret channels a user is a member of (whois)',
    auth: 'service',
    params: publicChannelsOfUserParamsSchema,
    responses: { 200: { description: 'channel names', schema: answers.publicChannelsOfUser }, 401: noToken },
  });
  r.get('/internal/users/:pseudo/channels', async (req, res) => {
    res.json(await access.publicChannelsOf(param(req, 'pseudo')));
  });

  docs.route({
    method: 'get',
    path: '/internal/users/:pseudo/memberships',
    summary: "Every channel a user is a member of, secret ones included, with the user's role (the IRC door's guest clean-up)",
    auth: 'service',
    params: publicChannelsOfUserParamsSchema,
    responses: { 200: { description: 'channels and roles', schema: answers.userMemberships }, 401: noToken },
  });
  r.get('/internal/users/:pseudo/memberships', async (req, res) => {
    res.json(await access.membershipsOf(param(req, 'pseudo')));
  });

  docs.route({
    method: 'get',
    path: '/internal/channels',
    summary: 'Visibility of existing channels (stats privacy); unknown names are left out',
    auth: 'service',
    query: channelVisibilityQuerySchema,
    responses: {
      200: { description: 'the known channels', schema: answers.channelVisibilityList },
      400: `names missing or more than ${MAX_CHANNEL_NAMES}`,
      401: noToken,
    },
  });
  r.get('/internal/channels', async (req, res) => {
    const query = channelVisibilityQuerySchema.safeParse({ names: single(req.query.names) });
    if (!query.success) throw new BadRequestError('names is required: ?names=tech,general', 'invalid_query');
    const names = query.data.names
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    if (names.length > MAX_CHANNEL_NAMES) throw new BadRequestError(`at most ${MAX_CHANNEL_NAMES} names`, 'invalid_query');
    res.json(await access.visibility(names));
  });

  return r;
}
