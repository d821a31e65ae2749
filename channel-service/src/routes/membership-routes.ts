import { Router } from 'express';
import { requireAuth } from '@canaduck/auth';
import { parseInput } from '@canaduck/service-kit';
import type { MembershipService } from '../domain/membership-service';
import { actorOf, param, requestId } from './route-helpers';
import { channelNameParams, channelPseudoParams, pseudoBody, pseudoReasonBody, type RouteDocs } from './schemas';

export interface MembershipRoutesDeps extends RouteDocs {
  membership: MembershipService;
}

/** Membership and local moderation; every route needs a user token. */
export function membershipRoutes({ membership, docs, answers }: MembershipRoutesDeps): Router {
  const r = Router();
  const done = { description: 'done', schema: answers.result };
  const noToken = 'no or bad token';

  docs.route({
    method: 'post',
    path: '/channel/:name/join',
    summary: 'Join a channel (an invitation is needed on +i, and is used up)',
    auth: 'user',
    params: channelNameParams,
    responses: {
      200: done,
      401: noToken,
      403: 'banned (code banned), or +i without an invitation (code invite_required)',
      404: 'unknown channel',
    },
  });
  r.post('/channel/:name/join', requireAuth(), async (req, res) => {
    res.json(await membership.join(param(req, 'name'), actorOf(req)));
  });

  docs.route({
    method: 'post',
    path: '/channel/:name/part',
    summary: 'Leave a channel (a moderator loses the role)',
    auth: 'user',
    params: channelNameParams,
    responses: {
      200: done,
      401: noToken,
      404: 'unknown channel, or not a member (code not_member)',
      409: 'the owner cannot part: delete the channel instead (code owner_cannot_part)',
    },
  });
  r.post('/channel/:name/part', requireAuth(), async (req, res) => {
    res.json(await membership.part(param(req, 'name'), actorOf(req)));
  });

  docs.route({
    method: 'post',
    path: '/channel/:name/invite',
    summary: 'Invite a registered user (owner, moderators, admins)',
    auth: 'user',
    params: channelNameParams,
    body: pseudoBody,
    responses: {
      200: done,
      400: 'pseudo missing or not a string',
      401: noToken,
      403: 'not the owner, a moderator or an admin',
      404: 'unknown channel, or unknown user (code user_not_found)',
      409: 'already a member (already_member) or banned (banned)',
      422: 'invalid pseudo',
      503: 'user-service cannot be asked',
      504: 'user-service did not answer in time',
    },
  });
  r.post('/channel/:name/invite', requireAuth(), async (req, res) => {
    const body = parseInput(pseudoBody, req.body);
    res.json(await membership.invite(param(req, 'name'), actorOf(req), body.pseudo, requestId(req)));
  });

  docs.route({
    method: 'post',
    path: '/channel/:name/ban',
    summary: 'Ban a pseudo; removes their membership and invitation; banning again updates the reason',
    description: 'The owner cannot be banned; a moderator only by the owner or an admin.',
    auth: 'user',
    params: channelNameParams,
    body: pseudoReasonBody,
    responses: {
      200: done,
      400: 'pseudo missing, or a field of the wrong type',
      401: noToken,
      403: 'not owner/moderator/admin; target is the owner (cannot_ban_owner) or a moderator (cannot_ban_moderator)',
      404: 'unknown channel',
      422: 'invalid pseudo, reason over 300 characters',
    },
  });
  r.post('/channel/:name/ban', requireAuth(), async (req, res) => {
    const body = parseInput(pseudoReasonBody, req.body);
    res.json(await membership.ban(param(req, 'name'), actorOf(req), body.pseudo, body.reason));
  });

  docs.route({
    method: 'delete',
    path: '/channel/:name/ban/:pseudo',
    summary: 'Lift a ban (owner, moderators, admins)',
    auth: 'user',
    params: channelPseudoParams,
    responses: {
      200: done,
      401: noToken,
      403: 'not the owner, a moderator or an admin',
      404: 'unknown channel, or the pseudo is not banned (not_banned)',
    },
  });
  r.delete('/channel/:name/ban/:pseudo', requireAuth(), async (req, res) => {
    res.json(await membership.unban(param(req, 'name'), actorOf(req), param(req, 'pseudo')));
  });

  docs.route({
    method: 'post',
    path: '/channel/:name/kick',
    summary: 'Remove a member (they may join again)',
    description: 'The owner cannot be kicked; a moderator only by the owner or an admin (or by themself).',
    auth: 'user',
    params: channelNameParams,
    body: pseudoReasonBody,
    responses: {
      200: done,
      400: 'pseudo missing, or a field of the wrong type',
      401: noToken,
      403: 'not owner/moderator/admin; target is the owner or a moderator',
      404: 'unknown channel, or the target is not a member (not_member)',
      422: 'invalid pseudo, reason over 300 characters',
    },
  });
  r.post('/channel/:name/kick', requireAuth(), async (req, res) => {
    const body = parseInput(pseudoReasonBody, req.body);
    res.json(await membership.kick(param(req, 'name'), actorOf(req), body.pseudo, body.reason));
  });

  docs.route({
    method: 'post',
    path: '/channel/:name/moderators',
    summary: 'Make a member a moderator (owner or admin)',
    auth: 'user',
    params: channelNameParams,
    body: pseudoBody,
    responses: {
      200: done,
      400: 'pseudo missing or not a string',
      401: noToken,
      403: 'not the owner (nor an admin)',
      404: 'unknown channel, or the pseudo is not a member (not_member)',
      409: 'the pseudo is the owner (already_owner)',
      422: 'invalid pseudo',
    },
  });
  r.post('/channel/:name/moderators', requireAuth(), async (req, res) => {
    const body = parseInput(pseudoBody, req.body);
    res.json(await membership.addModerator(param(req, 'name'), actorOf(req), body.pseudo));
  });

  docs.route({
    method: 'delete',
    path: '/channel/:name/moderators/:pseudo',
    summary: 'Take the moderator role back; they stay a member (owner or admin)',
    auth: 'user',
    params: channelPseudoParams,
    responses: {
      200: done,
      401: noToken,
      403: 'not the owner (nor an admin)',
      404: 'unknown channel, or not a moderator (not_moderator)',
    },
  });
  r.delete('/channel/:name/moderators/:pseudo', requireAuth(), async (req, res) => {
    res.json(await membership.removeModerator(param(req, 'name'), actorOf(req), param(req, 'pseudo')));
  });

  return r;
}
