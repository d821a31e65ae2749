import { Router } from 'express';
import { requireAuth } from '@canaduck/auth';
import { BadRequestError } from '@canaduck/errors';
import { channelSchema, parseInput, parsePaging, single } from '@canaduck/service-kit';
import { z } from 'zod';
import type { ChannelService } from '../domain/channel-service';
import { actorOf, optionalActor, param, topicSchema } from './route-helpers';

const createBody = z.object({ name: channelSchema, private: z.boolean().default(false), topic: topicSchema.optional() });
const patchBody = z.object({ topic: topicSchema.optional(), mode: z.string().optional(), private: z.boolean().optional() });
const topicBody = z.object({ topic: topicSchema });
const modeBody = z.object({ mode: z.string() });

/**
 * @openapi
 * components:
 *   parameters:
 *     ChannelName:
 *       in: path
 *       name: name
 *       required: true
 *       schema: { type: string, example: tech }
 *       description: channel name, case-insensitive; a leading `#` must be sent as `%23` or left out
 */
/** Public channel routes; app.ts runs `authenticate` (optional token) before them. */
export function channelRoutes(service: ChannelService): Router {
  const r = Router();

  /**
   * @openapi
   * /channel:
   *   get:
   *     summary: List public channels (neither +i nor +s), by name
   *     parameters:
   *       - { in: query, name: q, schema: { type: string }, description: 'substring of the name (% and _ match literally)' }
   *       - { in: query, name: offset, schema: { type: integer, default: 0 } }
   *       - { in: query, name: limit, schema: { type: integer, default: 50, maximum: 200 } }
   *     responses:
   *       200: { description: a page of channels, content: { application/json: { schema: { $ref: '#/components/schemas/ChannelList' } } } }
   *       400: { description: bad paging, content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   */
  r.get('/channel', async (req, res) => {
    const paging = parsePaging(req.query);
    const q = single(req.query.q);
    if (q !== undefined && q.length > 100) throw new BadRequestError('q has at most 100 characters', 'invalid_query');
    res.json(await service.listPublic(q?.replace(/^#/, '').toLowerCase(), paging));
  });

  /**
   * @openapi
   * /channel:
   *   post:
   *     summary: Create a channel; the caller becomes its owner and first member
   *     security: [{ bearerAuth: [] }]
   *     requestBody:
   *       required: true
   *       content:
   *         application/json:
   *           schema:
   *             type: object
   *             required: [name]
   *             properties:
   *               name: { type: string, example: '#tech' }
   *               private: { type: boolean, default: false, description: 'true sets mode i (invite-only)' }
   *               topic: { type: string, maxLength: 300, example: dev talk }
   *     responses:
   *       201: { description: created, content: { application/json: { schema: { $ref: '#/components/schemas/ChannelConfig' } } } }
   *       400: { description: missing name or wrong type }
   *       401: { description: no or bad token }
   *       409: { description: the name is taken }
   *       422: { description: invalid name or topic }
   */
  r.post('/channel', requireAuth(), async (req, res) => {
    const body = parseInput(createBody, req.body);
    res.status(201).json(await service.create(actorOf(req), body));
  });

  /**
   * @openapi
   * /channel/{name}:
   *   get:
   *     summary: The channel's config (alias of /channel/{name}/config)
   *     parameters: [{ $ref: '#/components/parameters/ChannelName' }]
   *     responses:
   *       200: { description: config, content: { application/json: { schema: { $ref: '#/components/schemas/ChannelConfig' } } } }
   *       403: { description: 'invite-only channel and the caller is not a member (nor an admin)' }
   *       404: { description: 'unknown channel, or a secret one the caller is not a member of' }
   * /channel/{name}/config:
   *   get:
   *     summary: The channel's full config; public channels for anyone, +i/+s ones for members and admins
   *     parameters: [{ $ref: '#/components/parameters/ChannelName' }]
   *     responses:
   *       200: { description: config, content: { application/json: { schema: { $ref: '#/components/schemas/ChannelConfig' } } } }
   *       401: { description: a token was sent and is invalid }
   *       403: { description: 'invite-only channel and the caller is not a member (nor an admin)' }
   *       404: { description: 'unknown channel, or a secret one the caller is not a member of' }
   */
  r.get(['/channel/:name', '/channel/:name/config'], async (req, res) => {
    res.json(await service.config(param(req, 'name'), optionalActor(req)));
  });

  /**
   * @openapi
   * /channel/{name}/users:
   *   get:
   *     summary: Members with their role, owner first, then moderators, then members
   *     parameters:
   *       - { $ref: '#/components/parameters/ChannelName' }
   *       - { in: query, name: offset, schema: { type: integer, default: 0 } }
   *       - { in: query, name: limit, schema: { type: integer, default: 200, maximum: 1000 } }
   *     responses:
   *       200: { description: members, content: { application/json: { schema: { $ref: '#/components/schemas/UserList' } } } }
   *       400: { description: bad paging }
   *       403: { description: invite-only channel and the caller is not a member (nor an admin) }
   *       404: { description: 'unknown channel, or a secret one the caller is not a member of' }
   */
  r.get('/channel/:name/users', async (req, res) => {
    const paging = parsePaging(req.query, { limit: 200, maxLimit: 1000 });
    res.json(await service.users(param(req, 'name'), optionalActor(req), paging));
  });

  /**
   * @openapi
   * /channel/{name}:
   *   patch:
   *     summary: Change topic, modes and/or privacy at once (checked before anything is written)
   *     security: [{ bearerAuth: [] }]
   *     parameters: [{ $ref: '#/components/parameters/ChannelName' }]
   *     requestBody:
   *       required: true
   *       content:
   *         application/json:
   *           schema:
   *             type: object
   *             properties:
   *               topic: { type: string, maxLength: 300 }
   *               mode: { type: string, example: '+r-i' }
   *               private: { type: boolean, description: 'same as +i / -i' }
   *     responses:
   *       200: { description: the updated config, content: { application/json: { schema: { $ref: '#/components/schemas/ChannelConfig' } } } }
   *       400: { description: 'no field given, or a field of the wrong type' }
   *       401: { description: no or bad token }
   *       403: { description: 'modes: not owner/moderator; topic: not owner/moderator under +t, not a member without it' }
   *       404: { description: unknown channel }
   *       422: { description: 'topic too long, bad mode string (unknown letter...)' }
   */
  r.patch('/channel/:name', requireAuth(), async (req, res) => {
    const body = parseInput(patchBody, req.body);
    if (body.topic === undefined && body.mode === undefined && body.private === undefined) {
      throw new BadRequestError('nothing to change: give topic, mode and/or private', 'invalid_input');
    }
    res.json(await service.updateSettings(param(req, 'name'), actorOf(req), body));
  });

  /**
   * @openapi
   * /channel/{name}/topic:
   *   post:
   *     summary: Change the topic (owner/moderators under +t, any member without it)
   *     security: [{ bearerAuth: [] }]
   *     parameters: [{ $ref: '#/components/parameters/ChannelName' }]
   *     requestBody:
   *       required: true
   *       content: { application/json: { schema: { type: object, required: [topic], properties: { topic: { type: string, maxLength: 300, example: 'dev talk' } } } } }
   *     responses:
   *       200: { description: the updated config, content: { application/json: { schema: { $ref: '#/components/schemas/ChannelConfig' } } } }
   *       400: { description: topic missing or not a string }
   *       401: { description: no or bad token }
   *       403: { description: not allowed to change the topic }
   *       404: { description: unknown channel }
   *       422: { description: 'more than 300 characters, or control characters' }
   */
  r.post('/channel/:name/topic', requireAuth(), async (req, res) => {
    const body = parseInput(topicBody, req.body);
    res.json(await service.updateSettings(param(req, 'name'), actorOf(req), { topic: body.topic }));
  });

  /**
   * @openapi
   * /channel/{name}/mode:
   *   post:
   *     summary: Change modes in IRC syntax ("+rt", "+r-i", "-t+s"); letters i, n, r, s, t
   *     security: [{ bearerAuth: [] }]
   *     parameters: [{ $ref: '#/components/parameters/ChannelName' }]
   *     requestBody:
   *       required: true
   *       content: { application/json: { schema: { type: object, required: [mode], properties: { mode: { type: string, example: '+r-i' } } } } }
   *     responses:
   *       200: { description: the updated config, content: { application/json: { schema: { $ref: '#/components/schemas/ChannelConfig' } } } }
   *       400: { description: mode missing or not a string }
   *       401: { description: no or bad token }
   *       403: { description: 'not the owner, a moderator or an admin' }
   *       404: { description: unknown channel }
   *       422: { description: 'unknown letter, no leading + or -, a sign without a letter, empty' }
   */
  r.post('/channel/:name/mode', requireAuth(), async (req, res) => {
    const body = parseInput(modeBody, req.body);
    res.json(await service.updateSettings(param(req, 'name'), actorOf(req), { mode: body.mode }));
  });

  /**
   * @openapi
   * /channel/{name}:
   *   delete:
   *     summary: Delete the channel with its members, invitations and bans (owner or admin)
   *     security: [{ bearerAuth: [] }]
   *     parameters: [{ $ref: '#/components/parameters/ChannelName' }]
   *     responses:
   *       200: { description: deleted, content: { application/json: { schema: { $ref: '#/components/schemas/Result' } } } }
   *       401: { description: no or bad token }
   *       403: { description: not the owner (nor an admin) }
   *       404: { description: unknown channel }
   */
  r.delete('/channel/:name', requireAuth(), async (req, res) => {
    res.json(await service.remove(param(req, 'name'), actorOf(req)));
  });

  return r;
}
