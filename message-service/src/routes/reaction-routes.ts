import { Router, type Request } from 'express';
import { type ApiDocs, parseInput, parsePaging, parseQuery, single, userRouteMounter } from '@canaduck/service-kit';
import type { IdempotencyService } from '../domain/idempotency-service';
import type { MessageService } from '../domain/message-service';
import type { ReactionService } from '../domain/reaction-service';
import { actorOf, idempotencyKey, idFrom } from './route-helpers';
import { type AnswerSchemas, channelQuery, idParams, pagingQuery, reactionSchema } from './schemas';

export interface ReactionRoutesDeps {
  reactions: ReactionService;
  messages: MessageService;
  /** Idempotency-Key on the POST route. */
  idempotency: IdempotencyService;
  docs: ApiDocs;
  answers: AnswerSchemas;
}

/** DELETE may carry its fields in the body or in the query string (some clients drop DELETE bodies). */
function reactionInput(req: Request): unknown {
  const body = req.body as Record<string, unknown> | undefined;
  if (body && typeof body === 'object' && Object.keys(body).length > 0) return body;
  const id = single(req.query.message_id);
  return { message_id: id !== undefined && /^\d+$/.test(id) ? Number(id) : id, emoji: single(req.query.emoji) };
}

/** Reactions and pins. */
export function reactionRoutes({ reactions, messages, idempotency, docs, answers }: ReactionRoutesDeps): Router {
  const router = Router();
  const route = userRouteMounter({ router, docs });
  /** What adding and removing a reaction both refuse beside their own 400 and 404. */
  const reactionRefusals = { 403: "The caller may not read the message's channel", 422: 'Not exactly one emoji' };

  route(
    {
      method: 'post',
      path: '/msg/reaction',
      summary: 'React to a message with one emoji; adding the same reaction again changes nothing (200)',
      body: reactionSchema,
      responses: {
        201: { description: 'Reaction added; the message with its reactions', schema: answers.message },
        200: { description: 'The reaction was already there; the message, unchanged', schema: answers.message },
        400: 'Missing message_id or emoji, wrong types',
        404: 'Unknown message',
        ...reactionRefusals,
      },
    },
    async (req, res) => {
      const body = parseInput(reactionSchema, req.body);
      const answer = await idempotency.run(actorOf(req), 'POST /msg/reaction', idempotencyKey(req), body, async () => {
        const { created, message } = await reactions.react(actorOf(req), body.message_id, body.emoji);
        return { status: created ? 201 : 200, body: message };
      });
      res.status(answer.status).json(answer.body);
    },
  );

  route(
    {
      method: 'delete',
      path: '/msg/reaction',
      summary: "Remove one's reaction (fields in the JSON body or the query string)",
      query: reactionSchema.partial(),
      responses: {
        200: { description: 'The message without that reaction', schema: answers.message },
        400: 'Missing message_id or emoji',
        404: 'Unknown message, or no such reaction of the caller',
        ...reactionRefusals,
      },
    },
    async (req, res) => {
      const input = parseInput(reactionSchema, reactionInput(req));
      res.json(await reactions.unreact(actorOf(req), input.message_id, input.emoji));
    },
  );

  route(
    {
      method: 'get',
      path: '/msg/pinned',
      summary: "A channel's pinned messages, most recently pinned first",
      query: channelQuery.merge(pagingQuery),
      responses: {
        200: { description: 'A page of pinned messages', schema: answers.messageList },
        400: 'Missing channel, bad paging',
        403: 'A channel the caller may not read',
        404: 'Unknown channel',
      },
    },
    async (req, res) => {
      const { channel } = parseQuery(channelQuery, req.query);
      const { offset, limit } = parsePaging(req.query);
      res.json(await messages.pinned(actorOf(req), channel, offset, limit));
    },
  );

  for (const [method, pinned] of [
    ['post', true],
    ['delete', false],
  ] as const) {
    route(
      {
        method,
        path: '/msg/:id/pin',
        summary: `${pinned ? 'Pin' : 'Unpin'} a channel message (channel owner, moderators, admins)${pinned ? '; pinning twice changes nothing' : ''}`,
        params: idParams,
        responses: {
          200: { description: `The message, ${pinned ? 'pinned' : 'unpinned'}`, schema: answers.message },
          400: 'Bad id',
          403: 'Not the owner, a moderator or an admin',
          404: 'Unknown message',
          422: 'A private message cannot be pinned',
        },
      },
      async (req, res) => {
        res.json(await reactions.setPinned(actorOf(req), idFrom(req.params.id), pinned));
      },
    );
  }

  return router;
}
