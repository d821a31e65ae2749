import { z } from 'zod';
import { normalizeChannel } from '@canaduck/service-kit';

/** message-service's feed, as structures.md section 5 fixes it. */
export interface FeedEvent {
  seq: number;
  type: string;
  at: string;
  data?: unknown;
}

const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a date');
const messageId = z.number().int().positive();
const pseudo = z.string().min(1).max(30);

const created = z.object({
  id: messageId,
  channel: z.string().nullable(),
  channel_id: z.string().min(1).max(64).nullable(),
  to: z.string().nullable().optional(),
  from: pseudo,
  text: z.string(),
  timestamp: isoDate,
});
const edited = z.object({ id: messageId, text: z.string() });
const deleted = z.object({ id: messageId });
const reaction = z.object({ message_id: messageId, emoji: z.string().min(1).max(64), pseudo });
const pinned = z.object({ id: messageId });

/** A feed event checked and reduced to what the aggregates need. */
export type StatsEvent =
  | { kind: 'created'; id: number; channel: string | null; channelId: string | null; from: string; text: string; createdAt: number }
  | { kind: 'edited'; id: number; text: string }
  | { kind: 'deleted'; id: number }
  | { kind: 'reaction'; added: boolean; messageId: number; emoji: string; pseudo: string }
  | { kind: 'ignored' };

/**
 * Checks one event's data; returns null (with the reason) for anything malformed,
 * which the applier logs and skips instead of stopping the feed.
 */
export function parseEvent(e: FeedEvent): { event: StatsEvent } | { problem: string } {
  const fail = (r: z.SafeParseError<unknown>) => ({ problem: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
  switch (e.type) {
    case 'message.created': {
      const r = created.safeParse(e.data);
      if (!r.success) return fail(r);
      const d = r.data;
      if (d.channel === null) {
        return {
          event: {
            kind: 'created',
            id: d.id,
            channel: null,
            channelId: null,
            from: d.from,
            text: d.text,
            createdAt: Date.parse(d.timestamp),
          },
        };
      }
      const channel = normalizeChannel(d.channel);
      if (channel === null) return { problem: `invalid channel name ${JSON.stringify(d.channel)}` };
      if (d.channel_id === null) return { problem: 'channel message without channel_id' };
      return {
        event: {
          kind: 'created',
          id: d.id,
          channel,
          channelId: d.channel_id,
          from: d.from,
          text: d.text,
          createdAt: Date.parse(d.timestamp),
        },
      };
    }
    case 'message.edited': {
      const r = edited.safeParse(e.data);
      return r.success ? { event: { kind: 'edited', id: r.data.id, text: r.data.text } } : fail(r);
    }
    case 'message.deleted': {
      const r = deleted.safeParse(e.data);
      return r.success ? { event: { kind: 'deleted', id: r.data.id } } : fail(r);
    }
    case 'reaction.added':
    case 'reaction.removed': {
      const r = reaction.safeParse(e.data);
      if (!r.success) return fail(r);
      return {
        event: {
          kind: 'reaction',
          added: e.type === 'reaction.added',
          messageId: r.data.message_id,
          emoji: r.data.emoji,
          pseudo: r.data.pseudo,
        },
      };
    }
    case 'message.pinned':
    case 'message.unpinned': {
      // Pins change no statistic; checked so that a malformed one is still reported.
      const r = pinned.safeParse(e.data);
      return r.success ? { event: { kind: 'ignored' } } : fail(r);
    }
    default:
      return { problem: `unknown event type ${JSON.stringify(e.type)}` };
  }
}

/** The envelope of one event: without a usable seq an event cannot even be skipped in order. */
export const feedEventSchema = z.object({
  seq: z.number().int().positive(),
  type: z.string(),
  at: z.string(),
  data: z.unknown(),
});
