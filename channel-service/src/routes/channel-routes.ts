import { Router } from 'express';
import { requireAuth } from '@canaduck/auth';
import { BadRequestError } from '@canaduck/errors';
import { parseInput, parsePaging, single } from '@canaduck/service-kit';
import type { ChannelService } from '../domain/channel-service';
import { actorOf, optionalActor, param } from './route-helpers';
import {
  channelNameParams,
  channelSearchSchema,
  createChannelBody,
  LIST_USERS_PAGING,
  listChannelsQuery,
  listUsersQuery,
  modeBody,
  patchChannelBody,
  type RouteDocs,
  topicBody,
} from './schemas';

export interface ChannelRoutesDeps extends RouteDocs {
  channels: ChannelService;
}

/** Public channel routes; app.ts runs `authenticate` (optional token) before them. */
export function channelRoutes({ channels, docs, answers }: ChannelRoutesDeps): Router {
  const r = Router();
  const config = (description: string) => ({ description, schema: answers.channelConfig });
  const unknown = 'unknown channel';
  const hidden = 'unknown channel, or a secret one the caller is not a member of';

  docs.route({
    method: 'get',
    path: '/channel',
    summary: 'List public channels (neither +i nor +s), by name',
    auth: 'optional-user',
    query: listChannelsQuery,
    responses: { 200: { description: 'a page of channels', schema: answers.channelList }, 400: 'bad paging, or q over 100 characters' },
  });
  r.get('/channel', async (req, res) => {
    const paging = parsePaging(req.query);
    const q = channelSearchSchema.safeParse(single(req.query.q));
    if (!q.success) throw new BadRequestError('q has at most 100 characters', 'invalid_query');
    res.json(await channels.listPublic(q.data?.replace(/^#/, '').toLowerCase(), paging));
  });

  docs.route({
    method: 'post',
    path: '/channel',
    summary: 'Create a channel; the caller becomes its owner and first member',
    auth: 'user',
    body: createChannelBody,
    responses: {
      201: config('created'),
      400: 'missing name or wrong type',
      401: 'no or bad token',
      409: 'the name is taken',
      422: 'invalid name or topic',
    },
  });
  r.post('/channel', requireAuth(), async (req, res) => {
    const body = parseInput(createChannelBody, req.body);
    res.status(201).json(await channels.create(actorOf(req), body));
  });

  const readResponses = {
    200: config('config'),
    401: 'a token was sent and is invalid',
    403: 'invite-only channel and the caller is not a member (nor an admin)',
    404: hidden,
  };
  docs.route({
    method: 'get',
    path: '/channel/:name',
    summary: "The channel's config (alias of /channel/{name}/config)",
    auth: 'optional-user',
    params: channelNameParams,
    responses: readResponses,
  });
  docs.route({
    method: 'get',
    path: '/channel/:name/config',
    summary: "The channel's full config; public channels for anyone, +i/+s ones for members and admins",
    auth: 'optional-user',
    params: channelNameParams,
    responses: readResponses,
  });
  r.get(['/channel/:name', '/channel/:name/config'], async (req, res) => {
    res.json(await channels.config(param(req, 'name'), optionalActor(req)));
  });

  docs.route({
    method: 'get',
    path: '/channel/:name/users',
    summary: 'Members with their role, owner first, then moderators, then members',
    auth: 'optional-user',
    params: channelNameParams,
    query: listUsersQuery,
    responses: {
      200: { description: 'members', schema: answers.userList },
      400: 'bad paging',
      403: 'invite-only channel and the caller is not a member (nor an admin)',
      404: hidden,
    },
  });
  r.get('/channel/:name/users', async (req, res) => {
    const paging = parsePaging(req.query, LIST_USERS_PAGING);
    res.json(await channels.users(param(req, 'name'), optionalActor(req), paging));
  });

  docs.route({
    method: 'patch',
    path: '/channel/:name',
    summary: 'Change topic, modes and/or privacy at once (checked before anything is written)',
    auth: 'user',
    params: channelNameParams,
    body: patchChannelBody,
    responses: {
      200: config('the updated config'),
      400: 'no field given, or a field of the wrong type',
      401: 'no or bad token',
      403: 'modes: not owner/moderator; topic: not owner/moderator under +t, not a member without it',
      404: unknown,
      422: 'topic too long, bad mode string (unknown letter...)',
    },
  });
  r.patch('/channel/:name', requireAuth(), async (req, res) => {
    const body = parseInput(patchChannelBody, req.body);
    if (body.topic === undefined && body.mode === undefined && body.private === undefined) {
      throw new BadRequestError('nothing to change: give topic, mode and/or private', 'invalid_input');
    }
    res.json(await channels.updateSettings(param(req, 'name'), actorOf(req), body));
  });

  docs.route({
    method: 'post',
    path: '/channel/:name/topic',
    summary: 'Change the topic (owner/moderators under +t, any member without it)',
    auth: 'user',
    params: channelNameParams,
    body: topicBody,
    responses: {
      200: config('the updated config'),
      400: 'topic missing or not a string',
      401: 'no or bad token',
      403: 'not allowed to change the topic',
      404: unknown,
      422: 'more than 300 characters, or control characters',
    },
  });
  r.post('/channel/:name/topic', requireAuth(), async (req, res) => {
    const body = parseInput(topicBody, req.body);
    res.json(await channels.updateSettings(param(req, 'name'), actorOf(req), { topic: body.topic }));
  });

  docs.route({
    method: 'post',
    path: '/channel/:name/mode',
    summary: 'Change modes in IRC syntax ("+rt", "+r-i", "-t+s"); letters i, n, r, s, t',
    auth: 'user',
    params: channelNameParams,
    body: modeBody,
    responses: {
      200: config('the updated config'),
      400: 'mode missing or not a string',
      401: 'no or bad token',
      403: 'not the owner, a moderator or an admin',
      404: unknown,
      422: 'unknown letter, no leading + or -, a sign without a letter, empty',
    },
  });
  r.post('/channel/:name/mode', requireAuth(), async (req, res) => {
    const body = parseInput(modeBody, req.body);
    res.json(await channels.updateSettings(param(req, 'name'), actorOf(req), { mode: body.mode }));
  });

  docs.route({
    method: 'delete',
    path: '/channel/:name',
    summary: 'Delete the channel with its members, invitations and bans (owner or admin)',
    auth: 'user',
    params: channelNameParams,
    responses: {
      200: { description: 'deleted', schema: answers.result },
      401: 'no or bad token',
      403: 'not the owner (nor an admin)',
      404: unknown,
    },
  });
  r.delete('/channel/:name', requireAuth(), async (req, res) => {
    res.json(await channels.remove(param(req, 'name'), actorOf(req)));
  });

  return r;
}
