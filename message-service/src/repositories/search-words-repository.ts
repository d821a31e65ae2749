import type { Knex } from '@canaduck/db';
import type { MessageRecord } from '../domain/message';
import { likePattern, prefixPattern, type SearchTerms } from '../domain/search-terms';
import { postingWords } from './posting-words';
import { fromRow, MESSAGE_COLUMNS, type MessageRow, placeholders, selectRows } from './rows';
import type { SearchScope } from './search-repository';

/** Distinct indexed words starting with the leading term looked up; beyond, one range instead. */
const MAX_EXPANSIONS = 64;
/** Candidate ids per round: the first round asks for what the page needs, then more. */
const MIN_ROUND = 16;
const MAX_ROUND = 4096;

/** Postings read from each list per round at least (see merged). */
const MIN_PER_LIST = 8;

/** One round of candidates: the ids it is sure of, newest first, and where the next one starts (null: none). */
interface Round {
  ids: number[];
  cursor: number | null;
}

/** Posting lists read in one union at most; beyond, the caller falls back to the FULLTEXT walk. */
const MAX_BRANCHES = 256;

const COLUMNS = MESSAGE_COLUMNS.join(', ');

/** The two postings tables and the column each files its postings under. */
const KEY_COLUMN = { search_words: 'channel_id', search_words_private: 'user_key' } as const;
type PostingTable = keyof typeof KEY_COLUMN;

/** One posting list: a key (a channel incarnation, or a participant of private messages) and a word. */
interface Branch {
  table: PostingTable;
  key: string;
  word: string;
}

/**
 * The postings of one list (`?` for its key, then for `wordTest`, then the cursor) holding every
 * other term too (one `?` each, checked through the message_id index of the same table).
 */
function branchSql(table: PostingTable, wordTest: string, others: number, select = 'p.message_id'): string {
  const also = " AND EXISTS (SELECT 1 FROM TABLE o WHERE o.message_id = p.message_id AND o.word LIKE ? ESCAPE '!')".replace('TABLE', table);
  return `SELECT ${select} FROM ${table} p WHERE p.${KEY_COLUMN[table]} = ? AND ${wordTest} AND p.message_id < ?${also.repeat(others)}`;
}

/** Terms ordered for lookup: the longest (likely the rarest) first. */
const byLength = (terms: SearchTerms): string[] => [...terms.fullText].sort((a, b) => [...b].length - [...a].length);

/**
 * MySQL/MariaDB search over postings: `search_words` (migration 003, channel messages, keyed by
 * (channel_id, word, message_id)) and `search_words_private` (migration 005, private messages,
 * keyed by (user_key, word, message_id) for each participant), each with an index on message_id.
 * Every access is an index range of one channel or one user, read newest first, so the cost
 * follows the page asked for and the number of lists in scope, not the table.
 *
 * The leading term (the longest word: likely the rarest) is expanded to the channel's indexed
 * words it prefixes (`moteur` -> `moteur`, `moteurs`; a skip scan, see postingWords), and each expansion is
 * read newest first from the primary key with LIMIT, merged (UNION ALL, see merged): no sort of
 * all the matches. Every other term is checked per candidate through the message_id
 * index (a message has a few dozen postings at most). The literal words then filter the messages
 * themselves with LIKE, as elsewhere. A search everywhere does the same over every readable
 * channel's lists and the caller's private list at once (one union, at most MAX_BRANCHES lists).
 */
export class SearchWordsRepository {
  constructor(private readonly knex: Knex) {}

  /** The `need` newest messages of the channel incarnation matching every term, newest first. */
  async inChannel(terms: SearchTerms, channelId: string, need: number, below = Number.MAX_SAFE_INTEGER): Promise<MessageRecord[]> {
    const [lead, ...others] = byLength(terms);
    const expansions = await this.expand(channelId, lead);
    if (expansions !== null && expansions.length === 0) return [];
    const scope: SearchScope = { channelIds: [channelId], privateOf: null };
    return this.collect(
      need,
      (before, size) => this.candidates(channelId, lead, expansions, others, before, size),
      (ids) => this.read(scope, ids, terms.literal),
      below,
    );
  }

  /**
   * The `need` newest messages of `scope` (readable channel incarnations, the caller's private
   * conversations) matching every term, newest first; null when the lead term expands to more
   * posting lists than one union should read (the caller then uses the FULLTEXT walk).
   */
  async everywhere(terms: SearchTerms, scope: SearchScope, need: number, below = Number.MAX_SAFE_INTEGER): Promise<MessageRecord[] | null> {
    const [lead, ...others] = byLength(terms);
    const branches = await this.branches(scope, lead);
    if (branches === null) return null;
    if (branches.length === 0) return [];
    return this.collect(
      need,
      (before, size) => this.merged(branches, others, before, size),
      (ids) => this.read(scope, ids, terms.literal),
      below,
    );
  }

  /**
   * Rounds of candidate ids, newest first and growing, read whole until `need` messages are kept.
   * A round answers the ids it is sure of and the cursor below which the next round goes on, or
   * null when nothing is left.
   */
  private async collect(
    need: number,
    next: (before: number, size: number) => Promise<Round>,
    read: (ids: number[]) => Promise<MessageRecord[]>,
    below: number,
  ): Promise<MessageRecord[]> {
    const found: MessageRecord[] = [];
    let before = below;
    for (let size = Math.min(Math.max(need, MIN_ROUND), MAX_ROUND); ; size = Math.min(size * 4, MAX_ROUND)) {
      const round = await next(before, size);
      if (round.ids.length > 0) found.push(...(await read(round.ids)));
      if (found.length >= need || round.cursor === null) return found.slice(0, need);
      before = round.cursor;
    }
  }

  /**
   * The posting lists of the lead word in the scope: each (key, indexed word it prefixes) pair of
   * the readable channels, then of the caller's private list, or null beyond MAX_BRANCHES.
   */
  private async branches(scope: SearchScope, lead: string): Promise<Branch[] | null> {
    const channels = await postingWords(this.knex, 'search_words', KEY_COLUMN.search_words, scope.channelIds, lead, MAX_BRANCHES);
    if (channels === null) return null;
    const own =
      scope.privateOf === null
        ? []
        : await postingWords(
            this.knex,
            'search_words_private',
            KEY_COLUMN.search_words_private,
            [scope.privateOf],
            lead,
            MAX_BRANCHES - channels.length,
          );
    if (own === null) return null;
    return [
      ...channels.map((p): Branch => ({ table: 'search_words', ...p })),
      ...own.map((p): Branch => ({ table: 'search_words_private', ...p })),
    ];
  }

  /** The channel's distinct indexed words starting with `word`, or null when there are too many. */
  private async expand(channelId: string, word: string): Promise<string[] | null> {
    const pairs = await postingWords(this.knex, 'search_words', KEY_COLUMN.search_words, [channelId], word, MAX_EXPANSIONS);
    return pairs === null ? null : pairs.map((p) => p.word);
  }

  /**
   * Ids below `before` holding the lead word (one of `expansions`, or any word it prefixes when
   * null) and every other term, newest first, about `size` of them.
   */
  private async candidates(
    channelId: string,
    lead: string,
    expansions: string[] | null,
    others: string[],
    before: number,
    size: number,
  ): Promise<Round> {
    if (expansions !== null) {
      const branches = expansions.map((word): Branch => ({ table: 'search_words', key: channelId, word }));
      return this.merged(branches, others, before, size);
    }
    // Too many words start with it (a short prefix): one range, sorted. Cost: its postings here.
    const sql = `${branchSql('search_words', "p.word LIKE ? ESCAPE '!'", others.length)} GROUP BY p.message_id ORDER BY p.message_id DESC LIMIT ?`;
    const rows = await selectRows<{ message_id: number | string }>(this.knex, sql, [
      channelId,
      prefixPattern(lead),
      before,
      ...others.map(prefixPattern),
      size,
    ]);
    const ids = rows.map((r) => Number(r.message_id));
    return { ids, cursor: ids.length < size ? null : ids[ids.length - 1] };
  }

  /**
   * About `size` newest distinct ids below `before` over these posting lists, each also holding
   * every other term: a k-way merge. Each list reads at most `perList` postings backwards on the
   * primary key (about twice its share of `size`, not `size` each: with 20 lists that is 8 rows
   * instead of 64). A list cut by its limit may hold more ids below its last one, so the answer is
   * exact down to the highest such last id (the cursor); a round where no list was cut is final.
   */
  private async merged(branches: Branch[], others: string[], before: number, size: number): Promise<Round> {
    const perList = Math.max(MIN_PER_LIST, Math.ceil((2 * size) / branches.length));
    const bindings: unknown[] = [];
    const parts = branches.map((b, i) => {
      bindings.push(b.key, b.word, before, ...others.map(prefixPattern), perList);
      return `(${branchSql(b.table, 'p.word = ?', others.length, `${i} AS list, p.message_id`)} ORDER BY p.message_id DESC LIMIT ?)`;
    });
    const rows = await selectRows<{ list: number | string; message_id: number | string }>(this.knex, parts.join(' UNION ALL '), bindings);
    const count = new Array<number>(branches.length).fill(0);
    const last = new Array<number>(branches.length).fill(0);
    const ids = new Set<number>();
    for (const r of rows) {
      const list = Number(r.list);
      const id = Number(r.message_id);
      count[list] += 1;
      last[list] = id;
      ids.add(id);
    }
    let cursor: number | null = null;
    for (let i = 0; i < branches.length; i++) if (count[i] === perList && (cursor === null || last[i] > cursor)) cursor = last[i];
    const sure = [...ids].filter((id) => cursor === null || id >= cursor).sort((x, y) => y - x);
    // Only `size` are read whole this round: the rest are found again below the last one kept.
    if (sure.length > size) return { ids: sure.slice(0, size), cursor: sure[size - 1] };
    return { ids: sure, cursor };
  }

  /** The messages with these ids still in the scope and holding every literal word, newest first. */
  private async read(scope: SearchScope, ids: number[], literal: string[]): Promise<MessageRecord[]> {
    const bindings: unknown[] = [...ids];
    const allowed: string[] = [];
    if (scope.channelIds.length > 0) {
      allowed.push(`channel_id IN (${placeholders(scope.channelIds.length)})`);
      bindings.push(...scope.channelIds);
    }
    if (scope.privateOf !== null) {
      allowed.push('(conv_key IS NOT NULL AND (from_key = ? OR to_key = ?))');
      bindings.push(scope.privateOf, scope.privateOf);
    }
    const likes = literal.map(() => " AND text LIKE ? ESCAPE '!'").join('');
    bindings.push(...literal.map(likePattern));
    const rows = await selectRows<MessageRow>(
      this.knex,
      // The primary key: with `channel_id = ?` MariaDB would pick the (channel_id, id) index as `ref`
      // and read the whole channel.
      `SELECT ${COLUMNS} FROM messages FORCE INDEX (PRIMARY) WHERE id IN (${placeholders(ids.length)}) ` +
        `AND (${allowed.join(' OR ')})${likes} ORDER BY id DESC`,
      bindings,
    );
    return rows.map(fromRow);
  }
}
