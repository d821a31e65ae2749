import type { Express, Request } from 'express';
import { BadRequestError } from '@canaduck/errors';
import { channelSchema, parseInput, parsePaging, pseudoSchema, single } from '@canaduck/service-kit';
import { z } from 'zod';
import type { MessagePage, MessageService } from '../domain/message-service';
import { actorOf, idFrom, pageFrom, textSchema } from './route-helpers';

const postSchema = z.object({
  channel: channelSchema.optional(),
  to: pseudoSchema.optional(),
  text: textSchema,
  reply_to: z.number().int().positive().optional(),
});

const channelQuery = z.object({ channel: channelSchema });
const privateQuery = z.object({ from: pseudoSchema, to: pseudoSchema });
const editSchema = z.object({ text: textSchema });

/** GET /msg's work, shared with its fast path in front of Express (channel-page-handler.ts). */
export function readChannelPage(messages: MessageService, req: Request, query: Request['query']): Promise<MessagePage> {
  const { channel } = parseInput(channelQuery, { channel: single(query.channel) }, 'query');
  return messages.listChannel(actorOf(req), channel, pageFrom(query));
}

export function messageRoutes(app: Express, messages: MessageService): void {
  /**
   * @openapi
   * /msg:
   *   post:
   *     summary: Post a message to a channel ({channel, text, reply_to?}) or to a user ({to, text}); the sender is the JWT's pseudo
   *     security: [{ bearerAuth: [] }]
   *     requestBody:
   *       required: true
   *       content:
   *         application/json:
   *           schema:
   *             type: object
   *             required: [text]
   *             properties:
   *               channel: { type: string, example: tech }
   *               to: { type: string, example: ginette }
   *               text: { type: string, minLength: 1, maxLength: 4000, example: "coucou 🦆" }
   *               reply_to: { type: integer, example: 41 }
   *     responses:
   *       201: { description: The message created }
   *       400: { description: 'Neither channel nor to, a missing text, a wrong JSON type' }
   *       401: { description: No or invalid token }
   *       403: { description: 'Banned, not a member of a private channel, read-only channel, members-only channel' }
   *       404: { description: 'Unknown channel, unknown recipient, reply_to not in this conversation' }
   *       422: { description: 'Text empty or over 4000 characters, bad channel or pseudo syntax, both channel and to' }
   *       503: { description: channel-service or user-service unavailable }
   */
  app.post('/msg', async (req, res) => {
    const body = parseInput(postSchema, req.body);
    if (body.channel === undefined && body.to === undefined) {
      throw new BadRequestError('a message needs a channel (or a recipient "to" for a private message)', 'channel_required');
    }
    res.status(201).json(await messages.post(actorOf(req), body));
  });

  /**
   * @openapi
   * /msg:
   *   get:
   *     summary: A channel's messages, newest first
   *     security: [{ bearerAuth: [] }]
   *     parameters:
   *       - { in: query, name: channel, required: true, schema: { type: string } }
   *       - { in: query, name: offset, schema: { type: integer, default: 0 } }
   *       - { in: query, name: limit, schema: { type: integer, default: 50, maximum: 200 } }
   *       - { in: query, name: before, description: "only messages with an id below this (cursor: the previous page's next_before)", schema: { type: integer } }
   *     responses:
   *       200: { description: "{ messages, offset, limit, next_offset, next_before }" }
   *       400: { description: 'Missing channel, bad paging or cursor' }
   *       401: { description: No or invalid token }
   *       403: { description: 'Private channel and not a member, or banned' }
   *       404: { description: Unknown channel }
   *       503: { description: channel-service unavailable }
   */
  app.get('/msg', async (req, res) => {
    res.json(await readChannelPage(messages, req, req.query));
  });

  /**
   * @openapi
   * /msg/private:
   *   get:
   *     summary: The private conversation of two users, both directions, newest first; only they may read it
   *     security: [{ bearerAuth: [] }]
   *     parameters:
   *       - { in: query, name: from, required: true, schema: { type: string } }
   *       - { in: query, name: to, required: true, schema: { type: string } }
   *       - { in: query, name: offset, schema: { type: integer, default: 0 } }
   *       - { in: query, name: limit, schema: { type: integer, default: 50, maximum: 200 } }
   *       - { in: query, name: before, schema: { type: integer } }
   *     responses:
   *       200: { description: "{ messages, offset, limit, next_offset, next_before }" }
   *       400: { description: 'Missing from or to, bad paging' }
   *       401: { description: No or invalid token }
   *       403: { description: The caller is neither from nor to }
   *       422: { description: Bad pseudo syntax }
   */
  app.get('/msg/private', async (req, res) => {
    const q = parseInput(privateQuery, { from: single(req.query.from), to: single(req.query.to) }, 'query');
    res.json(await messages.listPrivate(actorOf(req), q.from, q.to, pageFrom(req.query)));
  });

  /**
   * @openapi
   * /msg/thread/{id}:
   *   get:
   *     summary: The thread of a message (the thread of its root when it is a reply) - root, then replies oldest first
   *     security: [{ bearerAuth: [] }]
   *     parameters:
   *       - { in: path, name: id, required: true, schema: { type: integer } }
   *       - { in: query, name: offset, schema: { type: integer, default: 0 } }
   *       - { in: query, name: limit, schema: { type: integer, default: 50, maximum: 200 } }
   *     responses:
   *       200: { description: "{ root, replies, offset, limit, next_offset } (root is null when it was deleted)" }
   *       400: { description: Bad id or paging }
   *       401: { description: No or invalid token }
   *       403: { description: A channel the caller may not read }
   *       404: { description: 'Unknown or deleted message, or a private message of others' }
   */
  app.get('/msg/thread/:id', async (req, res) => {
    const id = idFrom(req.params.id);
    const { offset, limit } = parsePaging(req.query);
    res.json(await messages.thread(actorOf(req), id, offset, limit));
  });

  /**
   * @openapi
   * /msg/{id}:
   *   put:
   *     summary: Edit a message's text (the author only); sets edited_at
   *     security: [{ bearerAuth: [] }]
   *     parameters:
   *       - { in: path, name: id, required: true, schema: { type: integer } }
   *     requestBody:
   *       required: true
   *       content:
   *         application/json:
   *           schema: { type: object, required: [text], properties: { text: { type: string, example: "corrected text" } } }
   *     responses:
   *       200: { description: The edited message }
   *       400: { description: 'Missing text, bad id' }
   *       401: { description: No or invalid token }
   *       403: { description: 'Not the author, or no longer allowed to post in the channel' }
   *       404: { description: Unknown message }
   *       422: { description: Text empty or over 4000 characters }
   *   delete:
   *     summary: Delete a message (the author, the channel owner or moderators, or an admin)
   *     security: [{ bearerAuth: [] }]
   *     parameters:
   *       - { in: path, name: id, required: true, schema: { type: integer } }
   *     responses:
   *       200: { description: "{ result: \"message 42 deleted\" }" }
   *       400: { description: Bad id }
   *       401: { description: No or invalid token }
   *       403: { description: Not allowed }
   *       404: { description: Unknown message }
   *       503: { description: channel-service unavailable }
   */
  app.put('/msg/:id', async (req, res) => {
    const id = idFrom(req.params.id);
    const { text } = parseInput(editSchema, req.body);
    res.json(await messages.edit(actorOf(req), id, text));
  });

  app.delete('/msg/:id', async (req, res) => {
    const id = idFrom(req.params.id);
    await messages.remove(actorOf(req), id);
    res.json({ result: `message ${id} deleted` });
  });
}
