import type { MessageRecord } from '../domain/message';

/** The columns of `messages` the domain needs (lists select only these). */
export const MESSAGE_COLUMNS = [
  'id',
  'channel',
  'channel_id',
  'to_pseudo',
  'from_pseudo',
  'from_key',
  'text',
  'created_at',
  'edited_at',
  'reply_to',
  'root_id',
  'pinned',
] as const;

export interface MessageRow {
  id: number | string;
  channel: string | null;
  channel_id: string | null;
  to_pseudo: string | null;
  from_pseudo: string;
  from_key: string;
  text: string;
  created_at: number | string;
  edited_at: number | string | null;
  reply_to: number | string | null;
  root_id: number | string | null;
  pinned: number | boolean;
}

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

export function fromRow(r: MessageRow): MessageRecord {
  return {
    id: Number(r.id),
    channel: r.channel,
    channelId: r.channel_id,
    to: r.to_pseudo,
    from: r.from_pseudo,
    fromKey: r.from_key,
    text: r.text,
    createdAt: Number(r.created_at),
    editedAt: num(r.edited_at),
    replyTo: num(r.reply_to),
    rootId: num(r.root_id),
    pinned: r.pinned === true || r.pinned === 1,
  };
}
