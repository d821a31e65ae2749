import type { Express } from 'express';
import { parseInput, pseudoSchema, channelSchema, single } from '@canaduck/service-kit';
import { z } from 'zod';
import type { UpstreamClients } from '../clients/upstream-clients';
import { getFullInfo } from '../domain/fullinfo-service';

const querySchema = z.object({ user: pseudoSchema, channel: channelSchema });

/**
 * @openapi
 * /fullinfo:
 *   get:
 *     tags: [gateway]
 *     summary: A user's whois, a channel's config and its last messages, in one answer
 *     description: >
 *       The three calls go in parallel with the caller's token, so each service applies its
 *       own rules (a private channel stays hidden from non-members). A part that fails is
 *       null and explained in `errors`; the others still come back with 200.
 *     security: [{ bearerAuth: [] }]
 *     parameters:
 *       - { in: query, name: user, required: true, schema: { type: string, example: roger } }
 *       - { in: query, name: channel, required: true, schema: { type: string, example: tech } }
 *     responses:
 *       200:
 *         description: What could be gathered
 *         content:
 *           application/json:
 *             example:
 *               user: { pseudo: roger, status: online, roles: [user], channels: [tech], last_seen: '2026-11-24T17:00:00.000Z' }
 *               channel: null
 *               last_messages: [{ id: 42, channel: tech, from: roger, text: hello }]
 *               errors: { channel: channel-service unavailable }
 *       400: { description: user or channel missing, content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
 *       401: { description: no valid token, content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
 *       404: { description: neither the user nor the channel exists, content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
 *       422: { description: not a valid pseudo or channel name, content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
 *       503: { description: no service could be reached, content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
 */
export function fullinfoRoutes(app: Express, clients: UpstreamClients, messagesLimit: number): void {
  app.get('/fullinfo', async (req, res) => {
    const q = parseInput(querySchema, { user: single(req.query.user), channel: single(req.query.channel) }, 'query');
    const info = await getFullInfo(
      clients,
      q,
      { authorization: req.headers.authorization ?? '', requestId: req.headers['x-request-id'] as string | undefined },
      messagesLimit,
    );
    res.json(info);
  });
}
