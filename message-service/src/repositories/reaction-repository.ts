import { isMysql, type Knex } from '@canaduck/db';
import type { ReactionMap } from '../domain/message';
import { placeholders, reactionsFrom, reactionsJson, selectRows } from './rows';

export interface ReactionTally {
  distinctEmoji: number;
  emojiPresent: boolean;
  byUser: number;
}

const UNIQUE_VIOLATIONS: ReadonlySet<string> = new Set(['ER_DUP_ENTRY', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);

/**
 * The `reactions` table is the truth; `messages.reactions` (migration 004) is its copy per message,
 * which every read uses. A change is: lockMessage, add or remove, then storeColumn, in one
 * transaction, so that concurrent changes to one message are applied one after the other.
 */
export class ReactionRepository {
  private readonly mysql: boolean;

  constructor(private readonly knex: Knex) {
    this.mysql = isMysql(knex);
  }

  /**
   * Locks the message row until the transaction ends (MySQL; SQLite has one writer at a time);
   * false when the message is gone. Every writer of a message's reactions (and its deletion) takes
   * this lock first, so no two of them rewrite the column from different states.
   */
  async lockMessage(messageId: number, trx?: Knex.Transaction): Promise<boolean> {
    const sql = `SELECT id FROM messages WHERE id = ?${this.mysql ? ' FOR UPDATE' : ''}`;
    return (await selectRows(trx ?? this.knex, sql, [messageId])).length > 0;
  }

  /** Adds a reaction; false when this user already reacted so (the unique index decides, race-free). */
  async add(messageId: number, pseudo: string, pseudoKey: string, emoji: string, at: number, trx?: Knex.Transaction): Promise<boolean> {
    try {
      await (trx ?? this.knex)('reactions').insert({ message_id: messageId, pseudo, pseudo_key: pseudoKey, emoji, created_at: at });
      return true;
    } catch (err) {
      if (UNIQUE_VIOLATIONS.has((err as { code?: string }).code ?? '')) return false;
      throw err;
    }
  }

  /**
   * What the limits look at, under lockMessage: the message's distinct emoji, whether `emoji` is
   * among them, and how many reactions this user has on it.
   */
  async tally(messageId: number, pseudoKey: string, emoji: string, trx?: Knex.Transaction): Promise<ReactionTally> {
    const q = trx ?? this.knex;
    const [distinct] = await selectRows<{ n: number | string }>(
      q,
      'SELECT COUNT(DISTINCT emoji) AS n FROM reactions WHERE message_id = ?',
      [messageId],
    );
    const [mine] = await selectRows<{ n: number | string }>(
      q,
      'SELECT COUNT(*) AS n FROM reactions WHERE message_id = ? AND pseudo_key = ?',
      [messageId, pseudoKey],
    );
    const present = await selectRows(q, 'SELECT 1 AS x FROM reactions WHERE message_id = ? AND emoji = ? LIMIT 1', [messageId, emoji]);
    return { distinctEmoji: Number(distinct?.n ?? 0), emojiPresent: present.length > 0, byUser: Number(mine?.n ?? 0) };
  }

  /** Whether this user already reacted so. */
  async has(messageId: number, pseudoKey: string, emoji: string, trx?: Knex.Transaction): Promise<boolean> {
    const rows = await selectRows(
      trx ?? this.knex,
      'SELECT 1 AS x FROM reactions WHERE message_id = ? AND pseudo_key = ? AND emoji = ? LIMIT 1',
      [messageId, pseudoKey, emoji],
    );
    return rows.length > 0;
  }

  /** Removes a reaction; false when there was none. */
  async remove(messageId: number, pseudoKey: string, emoji: string, trx?: Knex.Transaction): Promise<boolean> {
    const n = await (trx ?? this.knex)('reactions').where({ message_id: messageId, pseudo_key: pseudoKey, emoji }).delete();
    return n > 0;
  }

  /**
   * Rewrites `messages.reactions` from the reactions table, under lockMessage, and returns the
   * message's reactions grouped per emoji. The read is a locking one on MySQL: it sees the latest
   * committed rows whatever the transaction's snapshot (a plain read under REPEATABLE READ could
   * see an older one). Built here rather than by JSON_ARRAYAGG, which MySQL truncates at
   * group_concat_max_len.
   */
  async storeColumn(messageId: number, trx?: Knex.Transaction): Promise<Record<string, string[]>> {
    const q = trx ?? this.knex;
    const sql = `SELECT emoji, pseudo FROM reactions WHERE message_id = ? ORDER BY id${this.mysql ? ' LOCK IN SHARE MODE' : ''}`;
    const json = reactionsJson(await selectRows<{ emoji: string; pseudo: string }>(q, sql, [messageId]));
    await q.raw('UPDATE messages SET reactions = ? WHERE id = ?', [json, messageId]);
    return reactionsFrom(json);
  }

  /** The reactions of these messages (their `messages.reactions`), for rows read without them. */
  async forMessages(ids: number[], trx?: Knex.Transaction): Promise<ReactionMap> {
    const map: ReactionMap = new Map();
    if (ids.length === 0) return map;
    const sql = `SELECT id, reactions FROM messages WHERE id IN (${placeholders(ids.length)}) AND reactions IS NOT NULL`;
    const rows = await selectRows<{ id: number | string; reactions: string }>(trx ?? this.knex, sql, ids);
    for (const r of rows) map.set(Number(r.id), reactionsFrom(r.reactions));
    return map;
  }
}
