import { Router } from 'express';
import { requireService } from '@canaduck/auth';
import { channelAccessQuerySchema, channelVisibilityQuerySchema, MAX_CHANNEL_NAMES } from '@canaduck/contracts';
import { BadRequestError } from '@canaduck/errors';
import { single } from '@canaduck/service-kit';
import type { AccessService } from '../domain/access-service';
import { param } from './route-helpers';

/** Internal routes (structures.md 5): service token only, never routed by the gateway. */
export function internalRoutes(service: AccessService, serviceSecret: string): Router {
  const r = Router();
  r.use('/internal', requireService(serviceSecret));

  /**
   * @openapi
   * /internal/channels/{name}/access/{pseudo}:
   *   get:
   *     summary: What a pseudo may do in a channel (message-service, stats-service); an unknown channel is exists=false
   *     security: [{ serviceToken: [] }]
   *     parameters:
   *       - { $ref: '#/components/parameters/ChannelName' }
   *       - { in: path, name: pseudo, required: true, schema: { type: string } }
   *       - { in: query, name: admin, schema: { type: boolean, default: false }, description: the caller's JWT has the admin role }
   *     responses:
   *       200: { description: the access decision, content: { application/json: { schema: { $ref: '#/components/schemas/Access' } } } }
   *       400: { description: admin is not true or false }
   *       401: { description: no service token }
   */
  r.get('/internal/channels/:name/access/:pseudo', async (req, res) => {
    const query = channelAccessQuerySchema.safeParse({ admin: single(req.query.admin) });
    if (!query.success) throw new BadRequestError('admin must be true or false', 'invalid_query');
    res.json(await service.access(param(req, 'name'), param(req, 'pseudo'), query.data.admin === 'true'));
  });

  /**
   * @openapi
   * /internal/users/{pseudo}/channels:
   *   get:
   *     summary: The public, non-secret channels a user is a member of (whois)
   *     security: [{ serviceToken: [] }]
   *     parameters: [{ in: path, name: pseudo, required: true, schema: { type: string } }]
   *     responses:
   *       200:
   *         description: channel names
   *         content: { application/json: { schema: { type: object, properties: { pseudo: { type: string }, channels: { type: array, items: { type: string } } } } } }
   *       401: { description: no service token }
   */
  r.get('/internal/users/:pseudo/channels', async (req, res) => {
    res.json(await service.publicChannelsOf(param(req, 'pseudo')));
  });

  /**
   * @openapi
   * /internal/channels:
   *   get:
   *     summary: Visibility of existing channels (stats privacy); unknown names are left out
   *     security: [{ serviceToken: [] }]
   *     parameters:
   *       - { in: query, name: names, required: true, schema: { type: string, example: 'tech,secretroom' }, description: 'comma-separated, at most 500' }
   *     responses:
   *       200:
   *         description: the known channels
   *         content:
   *           application/json:
   *             schema:
   *               type: object
   *               properties:
   *                 channels:
   *                   type: array
   *                   items: { type: object, properties: { name: { type: string }, channel_id: { type: string }, private: { type: boolean }, secret: { type: boolean } } }
   *       400: { description: names missing or more than 500 }
   *       401: { description: no service token }
   */
  r.get('/internal/channels', async (req, res) => {
    const query = channelVisibilityQuerySchema.safeParse({ names: single(req.query.names) });
    if (!query.success) throw new BadRequestError('names is required: ?names=tech,general', 'invalid_query');
    const names = query.data.names
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    if (names.length > MAX_CHANNEL_NAMES) throw new BadRequestError(`at most ${MAX_CHANNEL_NAMES} names`, 'invalid_query');
    res.json(await service.visibility(names));
  });

  return r;
}
