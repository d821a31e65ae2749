import type { Knex } from '@canaduck/db';
import { prefixPattern } from '../domain/search-terms';
import { selectRows } from './rows';

/** Index entries one step reads at most per key: a rare word's postings end within one step. */
export const WORDS_STEP = 32;

/** A posting list's name: its key (a channel incarnation or a participant) and one indexed word. */
export interface KeyWord {
  key: string;
  word: string;
}

/** Where the listing of one key stands: after which word it goes on, below its prefix's last word. */
interface Cursor {
  after: string;
  last: string | null;
}

/**
 * MySQL/MariaDB: the distinct indexed words starting with a prefix under each key of a postings
 * table, by a skip scan over its primary key `(key, word, message_id)` with constant bounds.
 *
 * The first step reads, per key, the prefix's first WORDS_STEP entries and its last word (one dive
 * from the end). A key is done when its step came back short or reached that last word; otherwise
 * the next step reads strictly between the last word seen and the last word, which jumps over the
 * rest of a word's postings in one dive. So a word with no longer form costs one statement,
 * `moteur` + `moteurs` two, whatever the number of postings, and every step is a plain range the
 * optimizer cannot get wrong. `SELECT DISTINCT key, word`, used before, is cheap only as a loose
 * index scan, which MariaDB's cost model picks only past a break-even point: below it, it read
 * every posting of the prefix instead, so a search grew with the table (bench/findings.md,
 * "Search at 1M").
 *
 * Answers the (key, word) pairs of `table` whose word starts with `prefix`, for the keys asked, or
 * null when there are more than `max` of them (the caller then reads differently). A query helper
 * of SearchWordsRepository, run on its connection.
 */
export async function postingWords(
  knex: Knex,
  table: string,
  keyColumn: string,
  keys: string[],
  prefix: string,
  max: number,
): Promise<KeyWord[] | null> {
  const pattern = prefixPattern(prefix);
  const found: KeyWord[] = [];
  const seen = new Set<string>();
  const add = (key: string, word: string): boolean => {
    const id = `${key}\u0000${word}`;
    if (!seen.has(id)) {
      seen.add(id);
      found.push({ key, word });
    }
    return found.length <= max;
  };
  // '' sorts before every indexed word (3 characters or more); `last` is unknown before step 1.
  let live = new Map<string, Cursor>(keys.map((k) => [k, { after: '', last: null }]));
  const base = `FROM ${table} WHERE ${keyColumn} = ? AND word LIKE ? ESCAPE '!'`;
  while (live.size > 0) {
    const bindings: unknown[] = [];
    const parts: string[] = [];
    for (const [key, c] of live) {
      // The key comes back as sent: the column's collation may answer it in another case.
      if (c.last === null) {
        parts.push(`(SELECT ? AS k, 0 AS d, word ${base} AND word > ? ORDER BY word LIMIT ?)`);
        bindings.push(key, key, pattern, c.after, WORDS_STEP);
        parts.push(`(SELECT ? AS k, 1 AS d, word ${base} ORDER BY word DESC LIMIT 1)`);
        bindings.push(key, key, pattern);
      } else {
        parts.push(`(SELECT ? AS k, 0 AS d, word ${base} AND word > ? AND word < ? ORDER BY word LIMIT ?)`);
        bindings.push(key, key, pattern, c.after, c.last, WORDS_STEP);
      }
    }
    const rows = await selectRows<{ k: string; d: number | string; word: string }>(knex, parts.join(' UNION ALL '), bindings);
    const count = new Map<string, number>();
    const next = new Map<string, Cursor>();
    // Each part's rows arrive in its own ORDER BY, one part after another (as merged() relies on).
    for (const r of rows) {
      const cursor = next.get(r.k) ?? { ...(live.get(r.k) as Cursor) };
      if (Number(r.d) === 1) cursor.last = r.word;
      else {
        count.set(r.k, (count.get(r.k) ?? 0) + 1);
        cursor.after = r.word;
      }
      next.set(r.k, cursor);
      if (!add(r.k, r.word)) return null;
    }
    // Done: a short step (nothing left before the last word), or the last word itself reached.
    live = new Map([...next].filter(([k, c]) => (count.get(k) ?? 0) === WORDS_STEP && c.after !== c.last));
  }
  return found;
}
