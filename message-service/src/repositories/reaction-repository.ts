import type { Knex } from '@canaduck/db';
import type { ReactionMap } from '../domain/message';
import { placeholders, selectRows } from './rows';

const UNIQUE_VIOLATIONS = new Set(['ER_DUP_ENTRY', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);

export class ReactionRepository {
  constructor(private readonly knex: Knex) {}

  /** Adds a reaction; false when this user already reacted so (the unique index decides, race-free). */
  async add(db: Knex.Transaction, messageId: number, pseudo: string, pseudoKey: string, emoji: string, at: number): Promise<boolean> {
    try {
      await db('reactions').insert({ message_id: messageId, pseudo, pseudo_key: pseudoKey, emoji, created_at: at });
      return true;
    } catch (err) {
      if (UNIQUE_VIOLATIONS.has((err as { code?: string }).code ?? '')) return false;
      throw err;
    }
  }

  /** Removes a reaction; false when there was none. */
  async remove(db: Knex.Transaction, messageId: number, pseudoKey: string, emoji: string): Promise<boolean> {
    const n = await db('reactions').where({ message_id: messageId, pseudo_key: pseudoKey, emoji }).delete();
    return n > 0;
  }

  /** The reactions of a whole page in one query, grouped per message and emoji in reaction order. */
  async forMessages(ids: number[], db: Knex | Knex.Transaction = this.knex): Promise<ReactionMap> {
    const map: ReactionMap = new Map();
    if (ids.length === 0) return map;
    const sql = `SELECT message_id, emoji, pseudo FROM reactions WHERE message_id IN (${placeholders(ids.length)}) ORDER BY id`;
    const rows = await selectRows<{ message_id: number | string; emoji: string; pseudo: string }>(db, sql, ids);
    for (const r of rows) {
      const id = Number(r.message_id);
      let byEmoji = map.get(id);
      if (!byEmoji) map.set(id, (byEmoji = {}));
      (byEmoji[r.emoji] ??= []).push(r.pseudo);
    }
    return map;
  }
}
