import { Router, type Request } from 'express';
import { BadRequestError } from '@canaduck/errors';
import { type ApiDocs, parseInput, parsePaging, parseQuery, userRouteMounter } from '@canaduck/service-kit';
import type { IdempotencyService } from '../domain/idempotency-service';
import type { MessagePage, MessageService } from '../domain/message-service';
import { actorOf, idempotencyKey, idFrom, pageFrom } from './route-helpers';
import { type AnswerSchemas, channelQuery, cursorQuery, editSchema, idParams, pagingQuery, postSchema, privateQuery } from './schemas';

export interface MessageRoutesDeps {
  messages: MessageService;
  /** Idempotency-Key on the POST route. */
  idempotency: IdempotencyService;
  docs: ApiDocs;
  answers: AnswerSchemas;
}

/** GET /msg's work, shared with its fast path in front of Express (channel-page-handler.ts). */
export function readChannelPage(messages: MessageService, req: Request, query: Request['query']): Promise<MessagePage> {
  const { channel } = parseQuery(channelQuery, query);
  return messages.listChannel(actorOf(req), channel, pageFrom(query));
}

/** Posting, reading, editing and deleting messages (/msg behind a user token, see app.ts). */
export function messageRoutes({ messages, idempotency, docs, answers }: MessageRoutesDeps): Router {
  const router = Router();
  const route = userRouteMounter({ router, docs });
  const messagePage = { description: 'A page of messages', schema: answers.messagePage };

  route(
    {
      method: 'post',
      path: '/msg',
      summary: 'Post a message to a channel ({channel, text, reply_to?}) or to a user ({to, text}); the sender is the JWT pseudo',
      body: postSchema,
      responses: {
        201: { description: 'The message created', schema: answers.message },
        400: 'Neither channel nor to, a missing text, a wrong JSON type',
        403: 'Banned, not a member of a private channel, read-only channel, members-only channel',
        404: 'Unknown channel, unknown recipient, reply_to not in this conversation',
        422: 'Text empty or over 4000 characters, bad channel or pseudo syntax, both channel and to',
        503: 'channel-service or user-service unavailable',
      },
    },
    async (req, res) => {
      const body = parseInput(postSchema, req.body);
      if (body.channel === undefined && body.to === undefined) {
        throw new BadRequestError('a message needs a channel (or a recipient "to" for a private message)', 'channel_required');
      }
      // The post is dropped if its deadline answers first (wanted), never written after that 503.
      const wanted = () => !res.headersSent;
      const answer = await idempotency.run(actorOf(req), 'POST /msg', idempotencyKey(req), body, async () => ({
        status: 201,
        body: await messages.post(actorOf(req), body, wanted),
      }));
      res.status(answer.status).json(answer.body);
    },
  );

  route(
    {
      method: 'get',
      path: '/msg',
      summary: "A channel's messages, newest first",
      query: channelQuery.merge(cursorQuery),
      responses: {
        200: messagePage,
        400: 'Missing channel, bad paging or cursor',
        403: 'Private channel and not a member, or banned',
        404: 'Unknown channel',
        503: 'channel-service unavailable',
      },
    },
    async (req, res) => {
      res.json(await readChannelPage(messages, req, req.query));
    },
  );

  route(
    {
      method: 'get',
      path: '/msg/private',
      summary: 'The private conversation of two users, both directions, newest first; only they may read it',
      query: privateQuery.merge(cursorQuery),
      responses: {
        200: messagePage,
        400: 'Missing from or to, bad paging',
        403: 'The caller is neither from nor to',
        422: 'Bad pseudo syntax',
      },
    },
    async (req, res) => {
      const { from, to } = parseQuery(privateQuery, req.query);
      res.json(await messages.listPrivate(actorOf(req), from, to, pageFrom(req.query)));
    },
  );

  route(
    {
      method: 'get',
      path: '/msg/thread/:id',
      summary: 'The thread of a message (the thread of its root when it is a reply): root, then replies oldest first',
      params: idParams,
      query: pagingQuery,
      responses: {
        200: { description: 'The thread (root is null when it was deleted)', schema: answers.thread },
        400: 'Bad id or paging',
        403: 'A channel the caller may not read',
        404: 'Unknown or deleted message, or a private message of others',
      },
    },
    async (req, res) => {
      const id = idFrom(req.params.id);
      const { offset, limit } = parsePaging(req.query);
      res.json(await messages.thread(actorOf(req), id, offset, limit));
    },
  );

  route(
    {
      method: 'put',
      path: '/msg/:id',
      summary: "Edit a message's text (the author only); sets edited_at",
      params: idParams,
      body: editSchema,
      responses: {
        200: { description: 'The edited message', schema: answers.message },
        400: 'Missing text, bad id',
        403: 'Not the author, or no longer allowed to post in the channel',
        404: 'Unknown message',
        422: 'Text empty or over 4000 characters',
      },
    },
    async (req, res) => {
      const id = idFrom(req.params.id);
      const { text } = parseInput(editSchema, req.body);
      res.json(await messages.edit(actorOf(req), id, text));
    },
  );

  route(
    {
      method: 'delete',
      path: '/msg/:id',
      summary: 'Delete a message (the author, the channel owner or moderators, or an admin)',
      params: idParams,
      responses: {
        200: { description: '`{ "result": "message 42 deleted" }`', schema: answers.result },
        400: 'Bad id',
        403: 'Not allowed',
        404: 'Unknown message',
        503: 'channel-service unavailable',
      },
    },
    async (req, res) => {
      const id = idFrom(req.params.id);
      await messages.remove(actorOf(req), id);
      res.json({ result: `message ${id} deleted` });
    },
  );

  return router;
}
