import { z } from 'zod';

const cursor = z.string().max(120).describe('an opaque cursor from an earlier envelope (resume after it)');
const channels = z.string().max(2000).describe('comma-separated public channels to follow without joining them');
const ticket = z
  .string()
  .max(2000)
  .describe('a single-use ticket from POST /events/ticket (browsers: EventSource and WebSocket cannot send headers)');

export const streamQuerySchema = z.object({ after: cursor.optional(), channels: channels.optional(), ticket: ticket.optional() });

/** GET /ws: the same resume and follow options as /events. */
export const wsQuerySchema = streamQuerySchema;

/** The SSE body: `retry:` once, then `id:`/`event:`/`data:` blocks (data: an envelope as JSON). */
export const sseStreamSchema = z
  .string()
  .describe('retry: 1000, then per event: id: <cursor>, event: <type>, data: <envelope JSON>, a blank line');

export const pollQuerySchema = z.object({
  after: cursor.optional(),
  wait: z
    .string()
    .regex(/^\d{1,2}$/, 'wait must be whole seconds')
    .transform(Number)
    .refine((n) => n <= 30, 'wait is at most 30 seconds')
    .optional()
    .describe('seconds to wait for an event when there is none yet (0 to 30, default 25)'),
  channels: channels.optional(),
  ticket: ticket.optional(),
});

export const envelopeSchema = z.object({
  type: z.string().describe('an event type of structures.md ("Real-time"), or heartbeat, resync_required, reconnect, closing'),
  cursor: z.string(),
  at: z.string().describe('ISO time of the event'),
  data: z.unknown(),
});

export const pollAnswerSchema = z.object({
  events: z.array(envelopeSchema),
  cursor: z.string().describe('resume after this (next ?after=)'),
});

export const ticketAnswerSchema = z.object({ ticket: z.string(), expires_at: z.string() });

export const wsClientFrameSchema = z.object({ type: z.enum(['subscribe', 'unsubscribe']), channel: z.string().min(1).max(51) });

/** The channels of ?channels=a,b (trimmed, leading # dropped, at most 50). */
export function channelList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((c) => c.trim().replace(/^#/, '').toLowerCase())
    .filter(Boolean)
    .slice(0, 50);
}
