import { Router } from 'express';
import type { MembershipService } from '../domain/membership-service';
import { actorOf, param, type Refusals, requestId, writeRouteMounter } from './route-helpers';
import { channelNameParams, channelPseudoParams, partBody, pseudoBody, pseudoReasonBody, type RouteDocs } from './schemas';

export interface MembershipRoutesDeps extends RouteDocs {
  membership: MembershipService;
}

/** What a route's summary and optional description say about it. */
interface About {
  summary: string;
  description?: string;
}

/** Membership and local moderation; every route needs a user token. */
export function membershipRoutes({ membership, docs, answers }: MembershipRoutesDeps): Router {
  const r = Router();
  const route = writeRouteMounter(r, docs);
  const done = { description: 'done', schema: answers.result };
  const pseudoAnswers = { 200: done, 400: 'pseudo missing or not a string', 422: 'invalid pseudo' };

  /** ban and kick: a pseudo and an optional reason in the body; they differ in whom they may target. */
  const sanction = (action: 'ban' | 'kick', about: About, refusals: Refusals) =>
    route(
      {
        method: 'post',
        path: `/channel/:name/${action}`,
        ...about,
        params: channelNameParams,
        body: pseudoReasonBody,
        responses: {
          200: done,
          400: 'pseudo missing, or a field of the wrong type',
          422: 'invalid pseudo, reason over 300 characters',
          ...refusals,
        },
      },
      (req, body) => membership[action](param(req, 'name'), actorOf(req), body.pseudo, body.reason),
    );

  /** unban and removeModerator: DELETE of the pseudo in the path, under the list it is taken off. */
  const takeOff = (list: 'ban' | 'moderators', action: 'unban' | 'removeModerator', summary: string, refusals: Refusals) =>
    route(
      {
        method: 'delete',
        path: `/channel/:name/${list}/:pseudo`,
        summary,
        params: channelPseudoParams,
        responses: { 200: done, ...refusals },
      },
      (req) => membership[action](param(req, 'name'), actorOf(req), param(req, 'pseudo')),
    );

  route(
    {
      method: 'post',
      path: '/channel/:name/join',
      summary: 'Join a channel (an invitation is needed on +i, and is used up)',
      params: channelNameParams,
      responses: {
        200: done,
        403: 'banned (code banned), or +i without an invitation (code invite_required)',
        404: 'unknown channel',
      },
    },
    (req) => membership.join(param(req, 'name'), actorOf(req)),
  );
  route(
    {
      method: 'post',
      path: '/channel/:name/part',
      summary: 'Leave a channel (a moderator loses the role), with an optional part message',
      params: channelNameParams,
      body: partBody,
      responses: {
        200: done,
        400: 'a body or reason of the wrong type',
        404: 'unknown channel, or not a member (code not_member)',
        409: 'the owner cannot part: delete the channel instead (code owner_cannot_part)',
        422: 'reason over 300 characters, or not one line',
      },
    },
    (req, body) => membership.part(param(req, 'name'), actorOf(req), body.reason),
  );

  route(
    {
      method: 'post',
      path: '/channel/:name/invite',
      summary: 'Invite a registered user (owner, moderators, admins)',
      params: channelNameParams,
      body: pseudoBody,
      responses: {
        ...pseudoAnswers,
        403: 'not the owner, a moderator or an admin',
        404: 'unknown channel, or unknown user (code user_not_found)',
        409: 'already a member (already_member) or banned (banned)',
        503: 'user-service cannot be asked',
        504: 'user-service did not answer in time',
      },
    },
    (req, body) => membership.invite(param(req, 'name'), actorOf(req), body.pseudo, requestId(req)),
  );

  sanction(
    'ban',
    {
      summary: 'Ban a pseudo; removes their membership and invitation; banning again updates the reason',
      description: 'The owner cannot be banned; a moderator only by the owner or an admin.',
    },
    {
      403: 'not owner/moderator/admin; target is the owner (cannot_ban_owner) or a moderator (cannot_ban_moderator)',
      404: 'unknown channel',
    },
  );
  takeOff('ban', 'unban', 'Lift a ban (owner, moderators, admins)', {
    403: 'not the owner, a moderator or an admin',
    404: 'unknown channel, or the pseudo is not banned (not_banned)',
  });
  sanction(
    'kick',
    {
      summary: 'Remove a member (they may join again)',
      description: 'The owner cannot be kicked; a moderator only by the owner or an admin (or by themself).',
    },
    {
      403: 'not owner/moderator/admin; target is the owner or a moderator',
      404: 'unknown channel, or the target is not a member (not_member)',
    },
  );

  route(
    {
      method: 'post',
      path: '/channel/:name/moderators',
      summary: 'Make a member a moderator (owner or admin)',
      params: channelNameParams,
      body: pseudoBody,
      responses: {
        ...pseudoAnswers,
        403: 'not the owner (nor an admin)',
        404: 'unknown channel, or the pseudo is not a member (not_member)',
        409: 'the pseudo is the owner (already_owner)',
      },
    },
    (req, body) => membership.addModerator(param(req, 'name'), actorOf(req), body.pseudo),
  );
  takeOff('moderators', 'removeModerator', 'Take the moderator role back; they stay a member (owner or admin)', {
    403: 'not the owner (nor an admin)',
    404: 'unknown channel, or not a moderator (not_moderator)',
  });

  return r;
}
