import { isMysql, type Knex, type Migration } from '@canaduck/db';
import { MAX_INDEXED_WORD } from '../domain/search-terms';
import { BACKFILL_BATCH, postingRows, separatorsFor } from './003-search-words';

/**
 * MySQL/MariaDB: `search_words_private`, the postings of private messages, filed under each
 * participant's pseudo key (two postings per word, one when a user writes to themself). With
 * `search_words` (channel messages, migration 003), a search without `channel` reads only the
 * postings of the caller's readable channels and of the caller's own conversations, newest first:
 * its cost follows the page, not the number of matches in the table (the FULLTEXT query it
 * replaces read and sorted every match, so it grew with the table: bench/findings.md).
 *
 * Same tokenizer and word rule as migration 003, kept by triggers of its own (MySQL 5.7.2+ and
 * MariaDB 10.2.3+ allow several triggers per event), so 003's triggers stay as released.
 */
const TABLE = 'search_words_private';

const privateRows = (row: 'NEW' | 'm', side: 'from_key' | 'to_key', from: string, pattern: string): string =>
  postingRows(TABLE, 'user_key', `${row}.${side}`, row, from, pattern);

export const privateWordsMigration: Migration = {
  name: '005_search_words_private',
  async up(knex: Knex) {
    if (!isMysql(knex)) return;
    const pattern = await separatorsFor(knex);
    await knex.raw(
      `CREATE TABLE ${TABLE} (` +
        'user_key VARCHAR(30) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL, ' +
        `word VARCHAR(${MAX_INDEXED_WORD}) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL, ` +
        'message_id BIGINT UNSIGNED NOT NULL, ' +
        'PRIMARY KEY (user_key, word, message_id), ' +
        // Edits and deletions find a message's postings here, and a search checks its other words.
        'KEY search_words_private_message_idx (message_id)' +
        ') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci',
    );
    const index = (row: 'NEW') => `${privateRows(row, 'from_key', '', pattern)}; ${privateRows(row, 'to_key', '', pattern)};`;
    await knex.raw(
      'CREATE TRIGGER messages_private_words_ai AFTER INSERT ON messages FOR EACH ROW ' +
        `BEGIN IF NEW.conv_key IS NOT NULL AND NEW.to_key IS NOT NULL THEN ${index('NEW')} END IF; END`,
    );
    await knex.raw(
      'CREATE TRIGGER messages_private_words_au AFTER UPDATE ON messages FOR EACH ROW ' +
        'BEGIN IF NOT (OLD.text <=> NEW.text AND OLD.conv_key <=> NEW.conv_key) THEN ' +
        `DELETE FROM ${TABLE} WHERE message_id = OLD.id; ` +
        `IF NEW.conv_key IS NOT NULL AND NEW.to_key IS NOT NULL THEN ${index('NEW')} END IF; END IF; END`,
    );
    await knex.raw(
      `CREATE TRIGGER messages_private_words_ad AFTER DELETE ON messages FOR EACH ROW DELETE FROM ${TABLE} WHERE message_id = OLD.id`,
    );
    await backfillPrivateWords(knex);
  },
  async down(knex: Knex) {
    if (!isMysql(knex)) return;
    for (const t of ['ai', 'au', 'ad']) await knex.raw(`DROP TRIGGER IF EXISTS messages_private_words_${t}`);
    await knex.raw(`DROP TABLE IF EXISTS ${TABLE}`);
  },
};

/** Indexes the private messages written before the triggers, by id ranges (as migration 003). */
export async function backfillPrivateWords(knex: Knex): Promise<void> {
  const pattern = await separatorsFor(knex);
  const [rows] = (await knex.raw('SELECT MIN(id) AS lo, MAX(id) AS hi FROM messages WHERE conv_key IS NOT NULL')) as [
    Array<{ lo: unknown; hi: unknown }>,
  ];
  if (rows[0].lo === null) return;
  const hi = Number(rows[0].hi);
  const scope = ' AND m.conv_key IS NOT NULL AND m.to_key IS NOT NULL AND m.id >= ? AND m.id < ?';
  for (let from = Number(rows[0].lo); from <= hi; from += BACKFILL_BATCH) {
    for (const side of ['from_key', 'to_key'] as const) {
      await knex.raw(`${privateRows('m', side, 'messages AS m, ', pattern)}${scope}`, [from, from + BACKFILL_BATCH]);
    }
  }
}
