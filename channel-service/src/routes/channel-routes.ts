import { Router } from 'express';
import { BadRequestError } from '@canaduck/errors';
import { parsePaging, single } from '@canaduck/service-kit';
import type { ChannelService } from '../domain/channel-service';
import { actorOf, optionalActor, param, type Refusals, writeRouteMounter } from './route-helpers';
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
  const route = writeRouteMounter(r, docs);
  const config = (description: string) => ({ description, schema: answers.channelConfig });
  const unknown = 'unknown channel';
  const hidden = 'unknown channel, or a secret one the caller is not a member of';
  /** What every settings change answers beside its own refusals. */
  const updated = { 200: config('the updated config'), 404: unknown };

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

  route(
    {
      method: 'post',
      path: '/channel',
      summary: 'Create a channel; the caller becomes its owner and first member',
      body: createChannelBody,
      responses: { 201: config('created'), 400: 'missing name or wrong type', 409: 'the name is taken', 422: 'invalid name or topic' },
    },
    (req, body) => channels.create(actorOf(req), body),
  );

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

  route(
    {
      method: 'patch',
      path: '/channel/:name',
      summary: 'Change topic, modes and/or privacy at once (checked before anything is written)',
      params: channelNameParams,
      body: patchChannelBody,
      responses: {
        ...updated,
        400: 'no field given, or a field of the wrong type',
        403: 'modes: not owner/moderator; topic: not owner/moderator under +t, not a member without it',
        422: 'topic too long, bad mode string (unknown letter...)',
      },
    },
    async (req, body) => {
      if (body.topic === undefined && body.mode === undefined && body.private === undefined) {
        throw new BadRequestError('nothing to change: give topic, mode and/or private', 'invalid_input');
      }
      return channels.updateSettings(param(req, 'name'), actorOf(req), body);
    },
  );

  /** POST /topic and /mode: one setting of the PATCH above, for clients that change one at a time. */
  const oneSetting = (setting: 'topic' | 'mode', body: typeof topicBody | typeof modeBody, summary: string, refusals: Refusals) =>
    route(
      {
        method: 'post',
        path: `/channel/:name/${setting}`,
        summary,
        params: channelNameParams,
        body,
        responses: { ...updated, ...refusals },
      },
      // The body is a one-field SettingsChange (zod drops any other field).
      (req, change) => channels.updateSettings(param(req, 'name'), actorOf(req), change),
    );
  oneSetting('topic', topicBody, 'Change the topic (owner/moderators under +t, any member without it)', {
    400: 'topic missing or not a string',
    403: 'not allowed to change the topic',
    422: 'more than 300 characters, or control characters',
  });
  oneSetting('mode', modeBody, 'Change modes in IRC syntax ("+rt", "+r-i", "-t+s"); letters i, n, r, s, t', {
    400: 'mode missing or not a string',
    403: 'not the owner, a moderator or an admin',
    422: 'unknown letter, no leading + or -, a sign without a letter, empty',
  });

  route(
    {
      method: 'delete',
      path: '/channel/:name',
      summary: 'Delete the channel with its members, invitations and bans (owner or admin)',
      params: channelNameParams,
      responses: { 200: { description: 'deleted', schema: answers.result }, 403: 'not the owner (nor an admin)', 404: unknown },
    },
    (req) => channels.remove(param(req, 'name'), actorOf(req)),
  );

  return r;
}
