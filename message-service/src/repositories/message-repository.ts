import { isMysql, type Knex } from '@canaduck/db';
import type { MessageRecord } from '../domain/message';
import { InsertBatcher } from './insert-batcher';
import { fromRow, MESSAGE_COLUMNS, type MessageRow, selectRowsDirect } from './rows';

const MESSAGE_SELECT = MESSAGE_COLUMNS.join(', ');

const INSERT_VALUES = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)';
const INSERT_SQL =
  'INSERT INTO messages (channel, channel_id, to_pseudo, to_key, from_pseudo, from_key, conv_key, text, created_at, reply_to, root_id, pinned) ' +
  `VALUES ${INSERT_VALUES}`;

/** Group commit: INSERT statements running at once (the pool holds 10 connections). */
const INSERTS_IN_FLIGHT = 4;

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
  private readonly mysql: boolean;

  private batcher?: Promise<InsertBatcher<NewMessage> | null>;

  /** @param insertBatch rows per INSERT at most under concurrent posts (MESSAGE_INSERT_BATCH; 1: no group commit). */
  constructor(
    private readonly knex: Knex,
    private readonly insertBatch = 100,
  ) {
    this.mysql = isMysql(knex);
  }

  /**
   * One autocommit INSERT: the `message.created` outbox row is written by the AFTER INSERT trigger
   * of migration 002 in the same statement, so the message and its event are stored atomically.
   * On MySQL, concurrent posts share statements (group commit, insert-batcher.ts) when the server
   * hands out consecutive ids to a multi-row INSERT, which InnoDB guarantees only with
   * `innodb_autoinc_lock_mode` 0 or 1 (MariaDB's default; MySQL 8 defaults to 2: one row each).
   */
  async insert(m: NewMessage): Promise<number> {
    if (this.mysql) {
      // A failed look-up (database down) is asked again by the next post, never remembered.
      this.batcher ??= this.createBatcher().catch((err: unknown) => {
        this.batcher = undefined;
        throw err;
      });
      const batcher = await this.batcher;
      if (batcher) return batcher.insert(m);
    }
    return (await this.insertRows([m], 1))[0];
  }

  private async createBatcher(): Promise<InsertBatcher<NewMessage> | null> {
    const [rows] = (await this.knex.raw('SELECT @@innodb_autoinc_lock_mode AS lockMode, @@auto_increment_increment AS step')) as [
      Array<{ lockMode: number | string; step: number | string }>,
    ];
    const lockMode = Number(rows[0]?.lockMode);
    const step = Number(rows[0]?.step);
    if (!(lockMode === 0 || lockMode === 1) || !(step >= 1) || this.insertBatch <= 1) return null;
    return new InsertBatcher<NewMessage>({
      insertMany: (batch) => this.insertRows(batch, step),
      maxInFlight: INSERTS_IN_FLIGHT,
      maxBatch: this.insertBatch,
    });
  }

  /** One INSERT of the rows; their ids are the first one's plus the server's increment. */
  private async insertRows(rows: NewMessage[], step: number): Promise<number[]> {
    const bindings: Knex.RawBinding[] = [];
    for (const m of rows)
      bindings.push(m.channel, m.channelId, m.to, m.toKey, m.from, m.fromKey, m.convKey, m.text, m.createdAt, m.replyTo, m.rootId);
    const sql = rows.length === 1 ? INSERT_SQL : INSERT_SQL + `, ${INSERT_VALUES}`.repeat(rows.length - 1);
    const result = (await this.knex.raw(sql, bindings)) as unknown;
    const first = Number(
      this.mysql
        ? (result as [{ insertId: number | string }])[0].insertId
        : (result as { lastInsertRowid: number | bigint }).lastInsertRowid,
    );
    return rows.map((_, i) => first + i * step);
  }

  async findById(id: number, db: Knex | Knex.Transaction = this.knex): Promise<MessageRecord | undefined> {
    const row = (await db('messages').select(MESSAGE_COLUMNS).where({ id }).first()) as MessageRow | undefined;
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

  async updateText(db: Knex.Transaction, id: number, text: string, editedAt: number): Promise<void> {
    await db('messages').where({ id }).update({ text, edited_at: editedAt });
  }

  async setPinned(db: Knex.Transaction, id: number, pinned: boolean, by: string | null, at: number | null): Promise<void> {
    await db('messages').where({ id }).update({ pinned, pinned_by: by, pinned_at: at });
  }

  /**
   * Hard delete: the message and its reactions (the FTS5 row goes with it by trigger on SQLite).
   * The message row first: a reaction change locks it before the reactions (reaction-service.ts),
   * so both take their locks in the same order and cannot deadlock.
   */
  async delete(db: Knex.Transaction, id: number): Promise<void> {
    await db('messages').where({ id }).delete();
    await db('reactions').where({ message_id: id }).delete();
  }

  private async page(q: Knex.QueryBuilder, page: PageQuery): Promise<MessageRecord[]> {
    if (page.before !== undefined) q.where('id', '<', page.before);
    const rows = (await q.orderBy('id', 'desc').offset(page.offset).limit(page.limit)) as MessageRow[];
    return rows.map(fromRow);
  }
}
