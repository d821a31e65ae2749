import type { Knex } from '@canaduck/db';
import type { MessageRecord } from '../domain/message';
import { fromRow, MESSAGE_COLUMNS, type MessageRow } from './rows';

export interface NewMessage {
  channel: string | null;
  channelId: string | null;
  to: string | null;
  toKey: string | null;
  from: string;
  fromKey: string;
  convKey: string | null;
  text: string;
  createdAt: number;
  replyTo: number | null;
  rootId: number | null;
}

/** Newest-first page: `before` is the id cursor for deep history, `offset` counts from it. */
export interface PageQuery {
  offset: number;
  limit: number;
  before?: number;
}

export class MessageRepository {
  constructor(private readonly knex: Knex) {}

  async insert(db: Knex | Knex.Transaction, m: NewMessage): Promise<number> {
    const [id] = await db('messages').insert({
      channel: m.channel,
      channel_id: m.channelId,
      to_pseudo: m.to,
      to_key: m.toKey,
      from_pseudo: m.from,
      from_key: m.fromKey,
      conv_key: m.convKey,
      text: m.text,
      created_at: m.createdAt,
      reply_to: m.replyTo,
      root_id: m.rootId,
      pinned: false,
    });
    return Number(id);
  }

  async findById(id: number, db: Knex | Knex.Transaction = this.knex): Promise<MessageRecord | undefined> {
    const row = (await db('messages').select(MESSAGE_COLUMNS).where({ id }).first()) as MessageRow | undefined;
    return row && fromRow(row);
  }

  /** A channel's messages of its current incarnation, newest first (index channel_id, id). */
  async listChannel(channelId: string, page: PageQuery): Promise<MessageRecord[]> {
    const q = this.knex('messages').select(MESSAGE_COLUMNS).where('channel_id', channelId);
    return this.page(q, page);
  }

  async listConversation(convKey: string, page: PageQuery): Promise<MessageRecord[]> {
    const q = this.knex('messages').select(MESSAGE_COLUMNS).where('conv_key', convKey);
    return this.page(q, page);
  }

  /** Every reply under a root, oldest first. */
  async listThread(rootId: number, offset: number, limit: number): Promise<MessageRecord[]> {
    const rows = (await this.knex('messages')
      .select(MESSAGE_COLUMNS)
      .where('root_id', rootId)
      .orderBy('id', 'asc')
      .offset(offset)
      .limit(limit)) as MessageRow[];
    return rows.map(fromRow);
  }

  /** Pinned messages of a channel's current incarnation, most recently pinned first. */
  async listPinned(channelId: string, offset: number, limit: number): Promise<MessageRecord[]> {
    const rows = (await this.knex('messages')
      .select(MESSAGE_COLUMNS)
      .where({ channel_id: channelId, pinned: true })
      .orderBy([
        { column: 'pinned_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .offset(offset)
      .limit(limit)) as MessageRow[];
    return rows.map(fromRow);
  }

  async updateText(db: Knex.Transaction, id: number, text: string, editedAt: number): Promise<void> {
    await db('messages').where({ id }).update({ text, edited_at: editedAt });
  }

  async setPinned(db: Knex.Transaction, id: number, pinned: boolean, by: string | null, at: number | null): Promise<void> {
    await db('messages').where({ id }).update({ pinned, pinned_by: by, pinned_at: at });
  }

  /** Hard delete: the message and its reactions (the FTS5 row goes with it by trigger on SQLite). */
  async delete(db: Knex.Transaction, id: number): Promise<void> {
    await db('reactions').where({ message_id: id }).delete();
    await db('messages').where({ id }).delete();
  }

  private async page(q: Knex.QueryBuilder, page: PageQuery): Promise<MessageRecord[]> {
    if (page.before !== undefined) q.where('id', '<', page.before);
    const rows = (await q.orderBy('id', 'desc').offset(page.offset).limit(page.limit)) as MessageRow[];
    return rows.map(fromRow);
  }
}
