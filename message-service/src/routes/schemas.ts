import { messageSchema } from '@canaduck/contracts';
import { channelSchema, pseudoSchema, type ApiDocs } from '@canaduck/service-kit';
import { z } from 'zod';
import { isSingleEmoji } from './route-helpers';

/** 1 to 4000 characters (code points) once trimmed; the text itself is stored exactly as sent. */
export const textSchema = z.string().refine((s) => {
  const n = [...s.trim()].length;
  return n >= 1 && n <= 4000;
}, 'text must have 1 to 4000 characters after trimming');

export const emojiSchema = z.string().max(64, 'emoji must be exactly one emoji').refine(isSingleEmoji, 'emoji must be exactly one emoji');

export const messageIdSchema = z.number().int().positive();

/** POST /msg: to a channel, or to a user (`to`). */
export const postSchema = z.object({
  channel: channelSchema.optional(),
  to: pseudoSchema.optional(),
  text: textSchema,
  reply_to: messageIdSchema.optional(),
});

/** PUT /msg/:id */
export const editSchema = z.object({ text: textSchema });

/** POST and DELETE /msg/reaction */
export const reactionSchema = z.object({ message_id: messageIdSchema, emoji: emojiSchema });

export const channelQuery = z.object({ channel: channelSchema });
export const privateQuery = z.object({ from: pseudoSchema, to: pseudoSchema });
export const searchQuery = z.object({
  q: z.string().refine((s) => s.trim().length >= 1 && s.trim().length <= 200, 'q must have 1 to 200 characters'),
  channel: channelSchema.optional(),
});

/** A message id in the path (idFrom: a positive integer, else 400). */
export const idParams = z.object({ id: messageIdSchema });

/** offset/limit as parsePaging reads them (for the document; parsePaging validates). */
export const pagingQuery = z.object({
  offset: z.number().int().min(0).default(0).optional(),
  limit: z.number().int().min(1).max(200).default(50).optional(),
});

/** pagingQuery plus the id cursor of pageFrom. */
export const cursorQuery = pagingQuery.extend({
  before: messageIdSchema.optional().describe("only messages with an id below this (cursor: the previous page's next_before)"),
});

/** The public message object (structures.md section 4), shared with its readers. */
export { messageSchema };

/**
 * The answer schemas, named in one app's document: made once per ApiDocs (createApp) and handed to
 * the route modules, so that each name is registered once and the pages refer to `Message`.
 */
export function answerSchemas(docs: ApiDocs) {
  const message = docs.schema('Message', messageSchema);
  const paging = { offset: z.number().int(), limit: z.number().int(), next_offset: z.number().int().nullable() };
  return {
    message,
    /** GET /msg, GET /msg/private: newest first, with the `before` cursor of the next page. */
    messagePage: docs.schema('MessagePage', z.object({ messages: z.array(message), ...paging, next_before: z.number().int().nullable() })),
    /** GET /msg/pinned, GET /msg/search. */
    messageList: docs.schema('MessageList', z.object({ messages: z.array(message), ...paging })),
    // The root inline: a nullable `$ref` has no `type` beside `nullable` in OpenAPI 3.0 (redocly's nullable-type-sibling).
    thread: docs.schema('Thread', z.object({ root: messageSchema.nullable(), replies: z.array(message), ...paging })),
    result: docs.schema('Result', z.object({ result: z.string() })),
  };
}

export type AnswerSchemas = ReturnType<typeof answerSchemas>;
