import type { Knex } from '@canaduck/db';
import type { MessageRecord } from '../domain/message';
import { likePattern, prefixPattern, type SearchTerms } from '../domain/search-terms';
import { fromRow, MESSAGE_COLUMNS, type MessageRow, placeholders, selectRows } from './rows';

/** Distinct indexed words starting with the leading term looked up; beyond, one range instead. */
const MAX_EXPANSIONS = 64;
/** Candidate ids per round: the first round asks for what the page needs, then more. */
const MIN_ROUND = 64;
const MAX_ROUND = 4096;

const COLUMNS = MESSAGE_COLUMNS.join(', ');

/**
 * MySQL/MariaDB search in one channel over `search_words` (migration 003): postings keyed by
 * (channel_id, word, message_id), plus an index on message_id. Every access is an index range
 * of that channel, read newest first, so the cost follows the page asked for, not the table.
 *
 * The leading term (the longest word: likely the rarest) is expanded to the channel's indexed
 * words it prefixes (`moteur` -> `moteur`, `moteurs`; a loose index scan), and each expansion is
 * read newest first from the primary key with LIMIT, merged in SQL (UNION ALL, then the top ids):
 * no sort of all the matches. Every other term is checked per candidate through the message_id
 * index (a message has a few dozen postings at most). The literal words then filter the messages
 * themselves with LIKE, as elsewhere.
 */
export class SearchWordsRepository {
  constructor(private readonly knex: Knex) {}

  /** The `need` newest messages of the channel incarnation matching every term, newest first. */
  async inChannel(terms: SearchTerms, channelId: string, need: number): Promise<MessageRecord[]> {
    const [lead, ...others] = [...terms.fullText].sort((a, b) => [...b].length - [...a].length);
    const expansions = await this.expand(channelId, lead);
    if (expansions !== null && expansions.length === 0) return [];
    const found: MessageRecord[] = [];
    let before = Number.MAX_SAFE_INTEGER;
    for (let size = Math.min(Math.max(need, MIN_ROUND), MAX_ROUND); ; size = Math.min(size * 4, MAX_ROUND)) {
      const ids = await this.candidates(channelId, lead, expansions, others, before, size);
      if (ids.length > 0) found.push(...(await this.read(channelId, ids, terms.literal)));
      if (found.length >= need || ids.length < size) return found.slice(0, need);
      before = ids[ids.length - 1];
    }
  }

  /** The channel's distinct indexed words starting with `word`, or null when there are too many. */
  private async expand(channelId: string, word: string): Promise<string[] | null> {
    const rows = await selectRows<{ word: string }>(
      this.knex,
      // DISTINCT over the key's prefix: a loose index scan (one dive per distinct word, "Using index
      // for group-by"); GROUP BY word would read every posting of the prefix instead.
      "SELECT DISTINCT channel_id, word FROM search_words WHERE channel_id = ? AND word LIKE ? ESCAPE '!' LIMIT ?",
      [channelId, prefixPattern(word), MAX_EXPANSIONS + 1],
    );
    return rows.length > MAX_EXPANSIONS ? null : rows.map((r) => r.word);
  }

  /**
   * Ids below `before` holding the lead word (one of `expansions`, or any word it prefixes when
   * null) and every other term, newest first, at most `size`. Fewer than `size`: none left.
   */
  private async candidates(
    channelId: string,
    lead: string,
    expansions: string[] | null,
    others: string[],
    before: number,
    size: number,
  ): Promise<number[]> {
    const also = others.map(
      () => " AND EXISTS (SELECT 1 FROM search_words o WHERE o.message_id = p.message_id AND o.word LIKE ? ESCAPE '!')",
    );
    const alsoBindings = others.map(prefixPattern);
    const branch = (wordTest: string, group: string) =>
      `SELECT p.message_id FROM search_words p WHERE p.channel_id = ? AND ${wordTest} AND p.message_id < ?${also.join('')}` +
      `${group} ORDER BY p.message_id DESC LIMIT ?`;
    let sql: string;
    const bindings: unknown[] = [];
    if (expansions === null) {
      // Too many words start with it (a short prefix): one range, sorted. Cost: its postings here.
      sql = branch("p.word LIKE ? ESCAPE '!'", ' GROUP BY p.message_id');
      bindings.push(channelId, prefixPattern(lead), before, ...alsoBindings, size);
    } else {
      // Each branch reads at most `size` postings backwards on the primary key; the union's top
      // `size` distinct ids are then exactly the newest `size` matches (a k-way merge).
      const branches = expansions.map(() => `(${branch('p.word = ?', '')})`).join(' UNION ALL ');
      sql = `SELECT DISTINCT message_id FROM (${branches}) c ORDER BY message_id DESC LIMIT ?`;
      for (const w of expansions) bindings.push(channelId, w, before, ...alsoBindings, size);
      bindings.push(size);
    }
    const rows = await selectRows<{ message_id: number | string }>(this.knex, sql, bindings);
    return rows.map((r) => Number(r.message_id));
  }

  /** The messages with these ids still in the channel and holding every literal word, newest first. */
  private async read(channelId: string, ids: number[], literal: string[]): Promise<MessageRecord[]> {
    const likes = literal.map(() => " AND text LIKE ? ESCAPE '!'").join('');
    const rows = await selectRows<MessageRow>(
      this.knex,
      // The primary key: with `channel_id = ?` MariaDB would pick the (channel_id, id) index as `ref`
      // and read the whole channel.
      `SELECT ${COLUMNS} FROM messages FORCE INDEX (PRIMARY) WHERE id IN (${placeholders(ids.length)}) AND channel_id = ?${likes} ORDER BY id DESC`,
      [...ids, channelId, ...literal.map(likePattern)],
    );
    return rows.map(fromRow);
  }
}
