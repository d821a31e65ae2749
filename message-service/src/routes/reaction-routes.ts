import type { Express, Request } from 'express';
import { channelSchema, parseInput, parsePaging, single } from '@canaduck/service-kit';
import { z } from 'zod';
import type { ReactionService } from '../domain/reaction-service';
import type { MessageService } from '../domain/message-service';
import { actorOf, emojiSchema, idFrom, messageIdSchema } from './route-helpers';

const reactionSchema = z.object({ message_id: messageIdSchema, emoji: emojiSchema });

/** DELETE may carry its fields in the body or in the query string (some clients drop DELETE bodies). */
function reactionInput(req: Request): unknown {
  const body = req.body as Record<string, unknown> | undefined;
  if (body && typeof body === 'object' && Object.keys(body).length > 0) return body;
  const id = single(req.query.message_id);
  return { message_id: id !== undefined && /^\d+$/.test(id) ? Number(id) : id, emoji: single(req.query.emoji) };
}

export function reactionRoutes(app: Express, reactions: ReactionService, messages: MessageService): void {
  /**
   * @openapi
   * /msg/reaction:
   *   post:
   *     summary: React to a message with one emoji; adding the same reaction again changes nothing (200)
   *     security: [{ bearerAuth: [] }]
   *     requestBody:
   *       required: true
   *       content:
   *         application/json:
   *           schema:
   *             type: object
   *             required: [message_id, emoji]
   *             properties: { message_id: { type: integer, example: 42 }, emoji: { type: string, example: "👍" } }
   *     responses:
   *       201: { description: Reaction added; the message with its reactions }
   *       200: { description: 'The reaction was already there; the message, unchanged' }
   *       400: { description: 'Missing message_id or emoji, wrong types' }
   *       401: { description: No or invalid token }
   *       403: { description: The caller may not read the message's channel }
   *       404: { description: Unknown message }
   *       422: { description: Not exactly one emoji }
   *   delete:
   *     summary: Remove one's reaction (fields in the JSON body or the query string)
   *     security: [{ bearerAuth: [] }]
   *     parameters:
   *       - { in: query, name: message_id, schema: { type: integer } }
   *       - { in: query, name: emoji, schema: { type: string } }
   *     responses:
   *       200: { description: The message without that reaction }
   *       400: { description: Missing message_id or emoji }
   *       401: { description: No or invalid token }
   *       403: { description: The caller may not read the message's channel }
   *       404: { description: 'Unknown message, or no such reaction of the caller' }
   *       422: { description: Not exactly one emoji }
   */
  app.post('/msg/reaction', async (req, res) => {
    const body = parseInput(reactionSchema, req.body);
    const { created, message } = await reactions.react(actorOf(req), body.message_id, body.emoji);
    res.status(created ? 201 : 200).json(message);
  });

  app.delete('/msg/reaction', async (req, res) => {
    const input = parseInput(reactionSchema, reactionInput(req));
    res.json(await reactions.unreact(actorOf(req), input.message_id, input.emoji));
  });

  /**
   * @openapi
   * /msg/pinned:
   *   get:
   *     summary: A channel's pinned messages, most recently pinned first
   *     security: [{ bearerAuth: [] }]
   *     parameters:
   *       - { in: query, name: channel, required: true, schema: { type: string } }
   *       - { in: query, name: offset, schema: { type: integer, default: 0 } }
   *       - { in: query, name: limit, schema: { type: integer, default: 50, maximum: 200 } }
   *     responses:
   *       200: { description: "{ messages, offset, limit, next_offset }" }
   *       400: { description: 'Missing channel, bad paging' }
   *       401: { description: No or invalid token }
   *       403: { description: A channel the caller may not read }
   *       404: { description: Unknown channel }
   */
  app.get('/msg/pinned', async (req, res) => {
    const { channel } = parseInput(z.object({ channel: channelSchema }), { channel: single(req.query.channel) }, 'query');
    const { offset, limit } = parsePaging(req.query);
    res.json(await messages.pinned(actorOf(req), channel, offset, limit));
  });

  /**
   * @openapi
   * /msg/{id}/pin:
   *   post:
   *     summary: Pin a channel message (channel owner, moderators, admins); pinning twice changes nothing
   *     security: [{ bearerAuth: [] }]
   *     parameters:
   *       - { in: path, name: id, required: true, schema: { type: integer } }
   *     responses:
   *       200: { description: 'The message, pinned' }
   *       401: { description: No or invalid token }
   *       403: { description: 'Not the owner, a moderator or an admin' }
   *       404: { description: Unknown message }
   *       422: { description: A private message cannot be pinned }
   *   delete:
   *     summary: Unpin a channel message (channel owner, moderators, admins)
   *     security: [{ bearerAuth: [] }]
   *     parameters:
   *       - { in: path, name: id, required: true, schema: { type: integer } }
   *     responses:
   *       200: { description: 'The message, unpinned' }
   *       401: { description: No or invalid token }
   *       403: { description: 'Not the owner, a moderator or an admin' }
   *       404: { description: Unknown message }
   *       422: { description: A private message cannot be pinned }
   */
  app.post('/msg/:id/pin', async (req, res) => {
    res.json(await reactions.setPinned(actorOf(req), idFrom(req.params.id), true));
  });

  app.delete('/msg/:id/pin', async (req, res) => {
    res.json(await reactions.setPinned(actorOf(req), idFrom(req.params.id), false));
  });
}
