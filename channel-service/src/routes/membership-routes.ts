import { Router } from 'express';
import { requireAuth } from '@canaduck/auth';
import { parseInput, pseudoSchema } from '@canaduck/service-kit';
import { z } from 'zod';
import type { MembershipService } from '../domain/membership-service';
import { actorOf, param, pseudoBody, reasonSchema, requestId } from './route-helpers';

const reasonBody = z.object({ pseudo: pseudoSchema, reason: reasonSchema.default('') });

/**
 * @openapi
 * components:
 *   requestBodies:
 *     Pseudo:
 *       required: true
 *       content: { application/json: { schema: { type: object, required: [pseudo], properties: { pseudo: { type: string, example: marcel } } } } }
 *     PseudoReason:
 *       required: true
 *       content:
 *         application/json:
 *           schema:
 *             type: object
 *             required: [pseudo]
 *             properties:
 *               pseudo: { type: string, example: spammer }
 *               reason: { type: string, maxLength: 300, default: '', example: spam }
 *   responses:
 *     Result: { description: done, content: { application/json: { schema: { $ref: '#/components/schemas/Result' } } } }
 *   parameters:
 *     Pseudo: { in: path, name: pseudo, required: true, schema: { type: string, example: marcel } }
 */
/** Membership and local moderation; every route needs a user token. */
export function membershipRoutes(service: MembershipService): Router {
  const r = Router();

  /**
   * @openapi
   * /channel/{name}/join:
   *   post:
   *     summary: Join a channel (an invitation is needed on +i, and is used up)
   *     security: [{ bearerAuth: [] }]
   *     parameters: [{ $ref: '#/components/parameters/ChannelName' }]
   *     responses:
   *       200: { $ref: '#/components/responses/Result' }
   *       401: { description: no or bad token }
   *       403: { description: 'banned (code banned), or +i without an invitation (code invite_required)' }
   *       404: { description: unknown channel }
   */
  r.post('/channel/:name/join', requireAuth(), async (req, res) => {
    res.json(await service.join(param(req, 'name'), actorOf(req)));
  });

  /**
   * @openapi
   * /channel/{name}/part:
   *   post:
   *     summary: Leave a channel (a moderator loses the role)
   *     security: [{ bearerAuth: [] }]
   *     parameters: [{ $ref: '#/components/parameters/ChannelName' }]
   *     responses:
   *       200: { $ref: '#/components/responses/Result' }
   *       401: { description: no or bad token }
   *       404: { description: 'unknown channel, or not a member (code not_member)' }
   *       409: { description: 'the owner cannot part: delete the channel instead (code owner_cannot_part)' }
   */
  r.post('/channel/:name/part', requireAuth(), async (req, res) => {
    res.json(await service.part(param(req, 'name'), actorOf(req)));
  });

  /**
   * @openapi
   * /channel/{name}/invite:
   *   post:
   *     summary: Invite a registered user (owner, moderators, admins)
   *     security: [{ bearerAuth: [] }]
   *     parameters: [{ $ref: '#/components/parameters/ChannelName' }]
   *     requestBody: { $ref: '#/components/requestBodies/Pseudo' }
   *     responses:
   *       200: { $ref: '#/components/responses/Result' }
   *       400: { description: pseudo missing or not a string }
   *       401: { description: no or bad token }
   *       403: { description: 'not the owner, a moderator or an admin' }
   *       404: { description: 'unknown channel, or unknown user (code user_not_found)' }
   *       409: { description: 'already a member (already_member) or banned (banned)' }
   *       422: { description: invalid pseudo }
   *       503: { description: user-service cannot be asked }
   *       504: { description: user-service did not answer in time }
   */
  r.post('/channel/:name/invite', requireAuth(), async (req, res) => {
    const body = parseInput(pseudoBody, req.body);
    res.json(await service.invite(param(req, 'name'), actorOf(req), body.pseudo, requestId(req)));
  });

  /**
   * @openapi
   * /channel/{name}/ban:
   *   post:
   *     summary: Ban a pseudo; removes their membership and invitation; banning again updates the reason
   *     description: The owner cannot be banned; a moderator only by the owner or an admin.
   *     security: [{ bearerAuth: [] }]
   *     parameters: [{ $ref: '#/components/parameters/ChannelName' }]
   *     requestBody: { $ref: '#/components/requestBodies/PseudoReason' }
   *     responses:
   *       200: { $ref: '#/components/responses/Result' }
   *       400: { description: 'pseudo missing, or a field of the wrong type' }
   *       401: { description: no or bad token }
   *       403: { description: 'not owner/moderator/admin; target is the owner (cannot_ban_owner) or a moderator (cannot_ban_moderator)' }
   *       404: { description: unknown channel }
   *       422: { description: 'invalid pseudo, reason over 300 characters' }
   */
  r.post('/channel/:name/ban', requireAuth(), async (req, res) => {
    const body = parseInput(reasonBody, req.body);
    res.json(await service.ban(param(req, 'name'), actorOf(req), body.pseudo, body.reason));
  });

  /**
   * @openapi
   * /channel/{name}/ban/{pseudo}:
   *   delete:
   *     summary: Lift a ban (owner, moderators, admins)
   *     security: [{ bearerAuth: [] }]
   *     parameters: [{ $ref: '#/components/parameters/ChannelName' }, { $ref: '#/components/parameters/Pseudo' }]
   *     responses:
   *       200: { $ref: '#/components/responses/Result' }
   *       401: { description: no or bad token }
   *       403: { description: 'not the owner, a moderator or an admin' }
   *       404: { description: 'unknown channel, or the pseudo is not banned (not_banned)' }
   */
  r.delete('/channel/:name/ban/:pseudo', requireAuth(), async (req, res) => {
    res.json(await service.unban(param(req, 'name'), actorOf(req), param(req, 'pseudo')));
  });

  /**
   * @openapi
   * /channel/{name}/kick:
   *   post:
   *     summary: Remove a member (they may join again)
   *     description: The owner cannot be kicked; a moderator only by the owner or an admin (or by themself).
   *     security: [{ bearerAuth: [] }]
   *     parameters: [{ $ref: '#/components/parameters/ChannelName' }]
   *     requestBody: { $ref: '#/components/requestBodies/PseudoReason' }
   *     responses:
   *       200: { $ref: '#/components/responses/Result' }
   *       400: { description: 'pseudo missing, or a field of the wrong type' }
   *       401: { description: no or bad token }
   *       403: { description: 'not owner/moderator/admin; target is the owner or a moderator' }
   *       404: { description: 'unknown channel, or the target is not a member (not_member)' }
   *       422: { description: 'invalid pseudo, reason over 300 characters' }
   */
  r.post('/channel/:name/kick', requireAuth(), async (req, res) => {
    const body = parseInput(reasonBody, req.body);
    res.json(await service.kick(param(req, 'name'), actorOf(req), body.pseudo, body.reason));
  });

  /**
   * @openapi
   * /channel/{name}/moderators:
   *   post:
   *     summary: Make a member a moderator (owner or admin)
   *     security: [{ bearerAuth: [] }]
   *     parameters: [{ $ref: '#/components/parameters/ChannelName' }]
   *     requestBody: { $ref: '#/components/requestBodies/Pseudo' }
   *     responses:
   *       200: { $ref: '#/components/responses/Result' }
   *       400: { description: pseudo missing or not a string }
   *       401: { description: no or bad token }
   *       403: { description: not the owner (nor an admin) }
   *       404: { description: 'unknown channel, or the pseudo is not a member (not_member)' }
   *       409: { description: 'the pseudo is the owner (already_owner)' }
   *       422: { description: invalid pseudo }
   */
  r.post('/channel/:name/moderators', requireAuth(), async (req, res) => {
    const body = parseInput(pseudoBody, req.body);
    res.json(await service.addModerator(param(req, 'name'), actorOf(req), body.pseudo));
  });

  /**
   * @openapi
   * /channel/{name}/moderators/{pseudo}:
   *   delete:
   *     summary: Take the moderator role back; they stay a member (owner or admin)
   *     security: [{ bearerAuth: [] }]
   *     parameters: [{ $ref: '#/components/parameters/ChannelName' }, { $ref: '#/components/parameters/Pseudo' }]
   *     responses:
   *       200: { $ref: '#/components/responses/Result' }
   *       401: { description: no or bad token }
   *       403: { description: not the owner (nor an admin) }
   *       404: { description: 'unknown channel, or not a moderator (not_moderator)' }
   */
  r.delete('/channel/:name/moderators/:pseudo', requireAuth(), async (req, res) => {
    res.json(await service.removeModerator(param(req, 'name'), actorOf(req), param(req, 'pseudo')));
  });

  return r;
}
