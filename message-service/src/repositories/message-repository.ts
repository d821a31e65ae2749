import { isMysql, type Knex } from '@canaduck/db';
import type { MessageRecord } from '../domain/message';
import { fromRow, MESSAGE_COLUMNS, type MessageRow, selectRowsDirect } from './rows';

const MESSAGE_SELECT = MESSAGE_COLUMNS.join(', ');

const INSERT_VALUES = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)';
const INSERT_SQL =
  'INSERT INTO messages (channel, channel_id, to_pseudo, to_key, from_pseudo, from_key, conv_key, text, created_at, reply_to, root_id, pinned) ' +
  `VALUES ${INSERT_VALUES}`;

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

/** How the server numbers the rows of one multi-row INSERT (see MessageRepository.insertIdStep). */
export interface InsertIds {
  /** The server's auto-increment step: row i of a statement gets the first id plus i * step. */
  step: number;
}

export class MessageRepository {
  private readonly mysql: boolean;

  constructor(private readonly knex: Knex) {
    this.mysql = isMysql(knex);
  }

  /**
   * One autocommit INSERT (or the caller's transaction): the `message.created` outbox row is
   * written by the AFTER INSERT trigger of migration 002 in the same statement, so the message
   * and its event are stored atomically.
   */
  async insert(m: NewMessage, trx?: Knex.Transaction): Promise<number> {
    return (await this.insertMany([m], 1, trx))[0];
  }

  /**
   * MySQL: the id step of a multi-row INSERT when the server hands out consecutive ids to it, which
   * InnoDB guarantees only with `innodb_autoinc_lock_mode` 0 or 1 (MariaDB's default; MySQL 8
   * defaults to 2: one row each). Null when several rows per statement cannot be numbered (SQLite
   * writes one row at a time anyway).
   */
  async insertIdStep(): Promise<InsertIds | null> {
    if (!this.mysql) return null;
    const [rows] = (await this.knex.raw('SELECT @@innodb_autoinc_lock_mode AS lockMode, @@auto_increment_increment AS step')) as [
      Array<{ lockMode: number | string; step: number | string }>,
    ];
    const lockMode = Number(rows[0]?.lockMode);
    const step = Number(rows[0]?.step);
    return (lockMode === 0 || lockMode === 1) && step >= 1 ? { step } : null;
  }

  /** One INSERT of the rows; their ids are the first one's plus the server's increment (`step`). */
  async insertMany(rows: NewMessage[], step: number, trx?: Knex.Transaction): Promise<number[]> {
    const bindings: Knex.RawBinding[] = [];
    for (const m of rows)
      bindings.push(m.channel, m.channelId, m.to, m.toKey, m.from, m.fromKey, m.convKey, m.text, m.createdAt, m.replyTo, m.rootId);
    const sql = rows.length === 1 ? INSERT_SQL : INSERT_SQL + `, ${INSERT_VALUES}`.repeat(rows.length - 1);
    const result = (await (trx ?? this.knex).raw(sql, bindings)) as unknown;
    const first = Number(
      this.mysql
        ? (result as [{ insertId: number | string }])[0].insertId
        : (result as { lastInsertRowid: number | bigint }).lastInsertRowid,
    );
    return rows.map((_, i) => first + i * step);
  }

  async findById(id: number, trx?: Knex.Transaction): Promise<MessageRecord | undefined> {
    const row = (await (trx ?? this.knex)('messages').select(MESSAGE_COLUMNS).where({ id }).first()) as MessageRow | undefined;
    return row && fromRow(row);
  }

  /**
   * A channel's messages of its current incarnation, newest first (index channel_id, id). Each row
   * carries its reactions (`messages.reactions`, migration 004): the page is this one SELECT.
   */
  async listChannel(channelId: string, page: PageQuery): Promise<MessageRecord[]> {
    const cursor = page.before === undefined ? '' : ' AND id < ?';
    const sql = `SELECT ${MESSAGE_SELECT} FROM messages WHERE channel_id = ?${cursor} ORDER BY id DESC LIMIT ? OFFSET ?`;
    const bindings = page.before === undefined ? [channelId, page.limit, page.offset] : [channelId, page.before, page.limit, page.offset];
    const rows = await selectRowsDirect<MessageRow>(this.knex, sql, bindings);
    return rows.map(fromRow);
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

  /** False when the message is gone (deleted since it was read): the caller then writes no event. */
  async updateText(id: number, text: string, editedAt: number, trx?: Knex.Transaction): Promise<boolean> {
    return (await (trx ?? this.knex)('messages').where({ id }).update({ text, edited_at: editedAt })) > 0;
  }

  /** False when the message is gone, as updateText. */
  async setPinned(id: number, pinned: boolean, by: string | null, at: number | null, trx?: Knex.Transaction): Promise<boolean> {
    return (await (trx ?? this.knex)('messages').where({ id }).update({ pinned, pinned_by: by, pinned_at: at })) > 0;
  }

  /**
   * Hard delete: the message and its reactions (the FTS5 row goes with it by trigger on SQLite).
   * The message row first: a reaction change locks it before the reactions (reaction-service.ts),
   * so both take their locks in the same order and cannot deadlock.
   */
  async delete(id: number, trx?: Knex.Transaction): Promise<void> {
    const q = trx ?? this.knex;
    await q('messages').where({ id }).delete();
    await q('reactions').where({ message_id: id }).delete();
  }

  private async page(q: Knex.QueryBuilder, page: PageQuery): Promise<MessageRecord[]> {
    if (page.before !== undefined) q.where('id', '<', page.before);
    const rows = (await q.orderBy('id', 'desc').offset(page.offset).limit(page.limit)) as MessageRow[];
    return rows.map(fromRow);
  }
}
