// Internal routes served by message-service (structures.md section 5): request and answer shapes, one definition for callee and callers.
import { z } from 'zod';

/** A non-negative integer written in decimal, as the feed's query string carries it. */
const DECIMAL = /^(0|[1-9][0-9]{0,15})$/;

/**
 * `GET /internal/events` query: `after` (default 0) and `limit` (default 500, 1 to 5000). A value
 * outside this is answered 400 `invalid_paging`.
 */
export const eventsQuerySchema = z.object({
  after: z.string().regex(DECIMAL).default('0').describe('the last seq already read').transform(Number),
  limit: z
    .string()
    .regex(DECIMAL)
    .default('500')
    .describe('events at most (1 to 5000)')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 5000),
});

// The fields a message always carries, split where `channel_id` goes in the event's data.
const messageHead = { id: z.number().int(), channel: z.string().nullable() };
const messageBody = {
  to: z.string().nullable(),
  from: z.string(),
  text: z.string(),
  timestamp: z.string(),
  reply_to: z.number().int().nullable(),
};

/** The public message object (structures.md section 4): message-service answers it, the IRC door reads it. */
export const messageSchema = z.object({
  ...messageHead,
  ...messageBody,
  reactions: z.record(z.array(z.string())).describe('pseudos per emoji, in reaction order'),
  pinned: z.boolean(),
  edited_at: z.string().nullable(),
});
export type Message = z.infer<typeof messageSchema>;

/** The `message.created` data: the public message fields plus `channel_id` (null for a private message). */
export const messageCreatedDataSchema = z.object({ ...messageHead, channel_id: z.string().nullable(), ...messageBody });
export type MessageCreatedData = z.infer<typeof messageCreatedDataSchema>;

const event = <T extends string, D extends z.ZodTypeAny>(type: T, data: D) =>
  z.object({ seq: z.number().int(), type: z.literal(type), at: z.string(), data });

/**
 * Where the message lives, on every event about an existing message (issue 23): its channel, or
 * its private pair (`from` is the author). Optional: events written before it lack them.
 */
const conversation = {
  channel: z.string().nullable().optional(),
  channel_id: z.string().nullable().optional(),
  to: z.string().nullable().optional(),
  from: z.string().optional(),
};
const reactionData = z.object({ message_id: z.number().int(), emoji: z.string(), pseudo: z.string(), ...conversation });
const pinData = z.object({ id: z.number().int(), by: z.string(), ...conversation });

/** One outbox event; `type` tells the shape of `data` (structures.md section 5, message-service). */
export const messageEventSchema = z.discriminatedUnion('type', [
  event('message.created', messageCreatedDataSchema),
  event('message.edited', z.object({ id: z.number().int(), text: z.string(), edited_at: z.string(), ...conversation })),
  event('message.deleted', z.object({ id: z.number().int(), ...conversation })),
  event('reaction.added', reactionData),
  event('reaction.removed', reactionData),
  event('message.pinned', pinData),
  event('message.unpinned', pinData),
]);

/** `GET /internal/events` answer: events in strictly increasing `seq`; `last_seq` is the last one returned, or `after`. */
export const eventsPageSchema = z.object({
  events: z.array(messageEventSchema),
  last_seq: z.number().int(),
});

export type MessageEventType = z.infer<typeof messageEventSchema>['type'];
export type MessageEvent = z.infer<typeof messageEventSchema>;
export type EventsPage = z.infer<typeof eventsPageSchema>;
