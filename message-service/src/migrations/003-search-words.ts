import { isMysql, type Knex, type Migration } from '@canaduck/db';
import { MAX_INDEXED_WORD, MIN_INDEXED_WORD } from '../domain/search-terms';

/**
 * MySQL/MariaDB: `search_words`, a B-tree postings table of channel messages (one row per distinct
 * word of a message, keyed by channel first, plus an index on message_id), so that a search in one channel reads only that
 * channel's postings of the words asked, newest first, whatever the size of the table. InnoDB's
 * FULLTEXT index cannot be restricted to a channel: it reads every match of the whole table.
 *
 * Triggers keep it in step with `messages`, so POST /msg stays one autocommit INSERT and rows
 * inserted in bulk straight into `messages` are indexed too. A word is a run of letters and digits
 * (`\p{L}\p{N}`) of 3 to 84 characters, the rule of splitSearchTerms' full-text words; stopwords
 * are kept (the query never asks for one exactly, they go to LIKE, but `whe` still finds `when`).
 * `word` uses the database's utf8mb4_unicode_ci: case and accents are ignored, as by FULLTEXT.
 *
 * The tokenizer is one SQL expression shared by the triggers and the back-fill (no stored routine,
 * so no CREATE ROUTINE privilege): the separators become single spaces (REGEXP_REPLACE: PCRE on
 * MariaDB, ICU on MySQL 8, both with `\p{L}` and `\p{N}`), then the
 * words are the elements of a JSON array read by JSON_TABLE (MariaDB 10.6+, MySQL 8.0.4+). Only
 * letters and digits are left in the words, so none needs JSON escaping.
 *
 * SQLite keeps FTS5 (migration 001), which is already restricted cheaply by rowid.
 */

/**
 * The separators' pattern as an SQL literal. A plain literal (no CONCAT, no CHAR() USING) so that
 * it takes the text's collation on MySQL 8 too; its backslashes written for the session's
 * sql_mode, which the triggers keep and re-parse their body with.
 */
const separators = (noBackslashEscapes: boolean): string => {
  const bs = noBackslashEscapes ? '\\' : '\\\\';
  return `'[^${bs}p{L}${bs}p{N}]+'`;
};

/** The words of `text` (one row each, column `w`) as a JSON_TABLE over the SQL expression `text`. */
function wordsOf(text: string, pattern: string): string {
  const json = `CONCAT('["', REPLACE(TRIM(REGEXP_REPLACE(${text}, ${pattern}, ' ')), ' ', '","'), '"]')`;
  // TEXT: a word can be as long as the message; longer than 84 characters it is dropped below.
  return `JSON_TABLE(${json}, '$[*]' COLUMNS (w TEXT PATH '$')) AS tok`;
}

const KEEP = `CHAR_LENGTH(tok.w) BETWEEN ${MIN_INDEXED_WORD} AND ${MAX_INDEXED_WORD}`;

/**
 * `INSERT IGNORE INTO <table> (<keyColumn>, word, message_id)`, one row per word of the message
 * `row` (`NEW` in a trigger, or the alias of `from`), under the key `keyExpr`. INSERT IGNORE: the
 * same word twice in a message (or `Moteur moteur`) is one posting. Shared by migrations 003 and 005.
 */
export function postingRows(table: string, keyColumn: string, keyExpr: string, row: string, from: string, pattern: string): string {
  return (
    `INSERT IGNORE INTO ${table} (${keyColumn}, word, message_id) ` +
    `SELECT ${keyExpr}, tok.w, ${row}.id FROM ${from}${wordsOf(`${row}.text`, pattern)} WHERE ${KEEP}`
  );
}

const indexRows = (row: 'NEW' | 'm', from: string, pattern: string): string =>
  postingRows('search_words', 'channel_id', `${row}.channel_id`, row, from, pattern);

/** The separators' pattern for this connection's sql_mode. */
export async function separatorsFor(knex: Knex): Promise<string> {
  const [rows] = (await knex.raw('SELECT @@SESSION.sql_mode AS mode')) as [Array<{ mode: string }>];
  return separators(rows[0].mode.toUpperCase().includes('NO_BACKSLASH_ESCAPES'));
}

/** Messages back-filled per statement: bounded transactions and undo on a large table. */
export const BACKFILL_BATCH = 5000;

export const searchWordsMigration: Migration = {
  name: '003_search_words',
  async up(knex: Knex) {
    if (!isMysql(knex)) return;
    const pattern = await separatorsFor(knex);
    await knex.raw(
      'CREATE TABLE search_words (' +
        'channel_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL, ' +
        `word VARCHAR(${MAX_INDEXED_WORD}) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL, ` +
        'message_id BIGINT UNSIGNED NOT NULL, ' +
        'PRIMARY KEY (channel_id, word, message_id), ' +
        // Edits and deletions find a message's postings here, and a search checks its other words.
        'KEY search_words_message_idx (message_id)' +
        ') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci',
    );
    // Private messages (channel_id null) are not indexed: only channel searches read this table.
    await knex.raw(
      'CREATE TRIGGER messages_search_words_ai AFTER INSERT ON messages FOR EACH ROW ' +
        `BEGIN IF NEW.channel_id IS NOT NULL THEN ${indexRows('NEW', '', pattern)}; END IF; END`,
    );
    await knex.raw(
      'CREATE TRIGGER messages_search_words_au AFTER UPDATE ON messages FOR EACH ROW ' +
        'BEGIN IF NOT (OLD.text <=> NEW.text AND OLD.channel_id <=> NEW.channel_id) THEN ' +
        'DELETE FROM search_words WHERE message_id = OLD.id; ' +
        `IF NEW.channel_id IS NOT NULL THEN ${indexRows('NEW', '', pattern)}; END IF; END IF; END`,
    );
    await knex.raw(
      'CREATE TRIGGER messages_search_words_ad AFTER DELETE ON messages FOR EACH ROW ' +
        'DELETE FROM search_words WHERE message_id = OLD.id',
    );
    await backfillSearchWords(knex);
  },
  async down(knex: Knex) {
    if (!isMysql(knex)) return;
    for (const t of ['ai', 'au', 'ad']) await knex.raw(`DROP TRIGGER IF EXISTS messages_search_words_${t}`);
    await knex.raw('DROP TABLE IF EXISTS search_words');
  },
};

/**
 * Indexes the messages that existed before the triggers, by id ranges (rows inserted meanwhile are
 * indexed by the trigger; INSERT IGNORE makes an overlap harmless). About the speed of the
 * trigger itself: minutes for millions of messages, during which the migration holds the
 * service's start-up.
 */
export async function backfillSearchWords(knex: Knex): Promise<void> {
  const pattern = await separatorsFor(knex);
  const [rows] = (await knex.raw('SELECT MIN(id) AS lo, MAX(id) AS hi FROM messages')) as [Array<{ lo: unknown; hi: unknown }>];
  if (rows[0].lo === null) return;
  const hi = Number(rows[0].hi);
  for (let from = Number(rows[0].lo); from <= hi; from += BACKFILL_BATCH) {
    const sql = `${indexRows('m', 'messages AS m, ', pattern)} AND m.channel_id IS NOT NULL AND m.id >= ? AND m.id < ?`;
    await knex.raw(sql, [from, from + BACKFILL_BATCH]);
  }
}
