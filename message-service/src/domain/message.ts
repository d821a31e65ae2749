import type { Message } from '@canaduck/contracts';
import { isoTime } from './iso-time';

/** A stored message, as repositories hand it to the domain. */
export interface MessageRecord {
  id: number;
  channel: string | null;
  channelId: string | null;
  to: string | null;
  from: string;
  fromKey: string;
  text: string;
  createdAt: number;
  editedAt: number | null;
  replyTo: number | null;
  rootId: number | null;
  pinned: boolean;
  /** Pseudos per emoji in reaction order (stored with the message, migration 004). */
  reactions: Record<string, string[]>;
}

/**
 * Where a message lives, carried by every event about it (edits, deletions, reactions, pins) so
 * that consumers (realtime, the IRC door) route it without a lookup: its channel, or for a
 * private message its two participants (`from` is always the author).
 */
export function conversationOf(m: MessageRecord): { channel: string | null; channel_id: string | null; to: string | null; from: string } {
  return { channel: m.channel, channel_id: m.channelId, to: m.to, from: m.from };
}

/** The public message object of structures.md section 4 (its shape is @canaduck/contracts' Message). */
export type MessageView = Message;

export type ReactionMap = Map<number, Record<string, string[]>>;

/** `reactions`, when given, replaces the record's own (read separately, e.g. after a change). */
export function toView(m: MessageRecord, reactions?: ReactionMap): MessageView {
  return {
    id: m.id,
    channel: m.channel,
    to: m.to,
    from: m.from,
    text: m.text,
    timestamp: isoTime(m.createdAt),
    reply_to: m.replyTo,
    reactions: reactions ? (reactions.get(m.id) ?? {}) : m.reactions,
    pinned: m.pinned,
    edited_at: m.editedAt === null ? null : isoTime(m.editedAt),
  };
}

/** Private conversations are found by the lower-cased, sorted pair of pseudos. */
export function conversationKey(a: string, b: string): string {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()].sort();
  return `${x}:${y}`;
}
