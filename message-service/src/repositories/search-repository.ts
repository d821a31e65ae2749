import { isMysql, type Knex } from '@canaduck/db';
import type { MessageRecord } from '../domain/message';
import { likePattern, type SearchTerms } from '../domain/search-terms';
import { fromRow, MESSAGE_COLUMNS, type MessageRow, placeholders, selectRows } from './rows';

/** One window of the newest-first walk: the rows read, and whether the walk reached the end. */
export interface SearchWindow {
  hits: MessageRecord[];
  /** The smallest id read (the next window's cursor), or null when nothing was read. */
  lastId: number | null;
  exhausted: boolean;
}

const WINDOW_COLUMNS = MESSAGE_COLUMNS.join(', ');

/** What the caller may read: current channel incarnations, and their own private conversations. */
export interface SearchScope {
  channelIds: string[];
  /** Lower-cased pseudo whose private conversations are included, or null. */
  privateOf: string | null;
}

/**
 * Full-text search over messages: FTS5 on SQLite, FULLTEXT in boolean mode on MySQL/MariaDB, and
 * on MySQL/MariaDB the `search_words` postings for a search in one channel.
 */
export class SearchRepository {
  private readonly mysql: boolean;

  constructor(private readonly knex: Knex) {
    this.mysql = isMysql(knex);
  }

  /** Whether the postings tables can answer these terms: MySQL, and at least one full-text word. */
  hasPostings(terms: SearchTerms): boolean {
    return this.mysql && terms.fullText.length > 0;
  }

  /**
   * Every channel incarnation holding messages, with its name: one dive per incarnation (a loose
   * index scan of `(channel_id, id)` for each first id, then those rows by primary key). At most
   * `max`; null beyond.
   */
  async channelIncarnations(max: number): Promise<Array<{ channel: string; channelId: string }> | null> {
    const rows = await selectRows<{ channel: string; channel_id: string }>(
      this.knex,
      'SELECT m.channel, m.channel_id FROM messages m JOIN (SELECT MIN(id) AS id FROM messages WHERE channel_id IS NOT NULL ' +
        'GROUP BY channel_id LIMIT ?) f ON m.id = f.id',
      [max + 1],
    );
    return rows.length > max ? null : rows.map((r) => ({ channel: r.channel, channelId: r.channel_id }));
  }

  /** Channel names holding at least one match (the caller then asks channel-service which it may read). */
  async matchingChannels(terms: SearchTerms, channel?: string): Promise<string[]> {
    const q = this.knex('messages').distinct('channel').whereNotNull('channel');
    if (channel) q.where('channel', channel);
    this.match(q, terms);
    const rows = (await q) as Array<{ channel: string }>;
    return rows.map((r) => r.channel);
  }

  async search(
    terms: SearchTerms,
    scope: SearchScope,
    offset: number,
    limit: number,
    before = Number.MAX_SAFE_INTEGER,
  ): Promise<MessageRecord[]> {
    if (scope.channelIds.length === 0 && !scope.privateOf) return [];
    const q = this.knex('messages').select(MESSAGE_COLUMNS).where('id', '<', before);
    q.where((w) => {
      if (scope.channelIds.length > 0) w.orWhereIn('channel_id', scope.channelIds);
      if (scope.privateOf) {
        const me = scope.privateOf;
        w.orWhere((p) => p.whereNotNull('conv_key').andWhere((o) => o.where('from_key', me).orWhere('to_key', me)));
      }
    });
    this.match(q, terms);
    const rows = (await q.orderBy('id', 'desc').offset(offset).limit(limit)) as MessageRow[];
    return rows.map(fromRow);
  }

  /** Whether `window` may be used: MySQL, where the FULLTEXT query reads and sorts every match. */
  get walks(): boolean {
    return this.mysql;
  }

  /**
   * The `size` newest messages below `before` (of one channel incarnation, or of all), and which of
   * them match. MATCH in the select list is computed for these rows only (the access path stays the
   * `(channel_id, id)` index or the primary key), so the cost follows the window, not the number of
   * matches in the whole table. The literal words filter in the WHERE clause as usual.
   */
  async window(terms: SearchTerms, channelId: string | null, before: number, size: number): Promise<SearchWindow> {
    const bindings: unknown[] = [];
    let hit = '1';
    if (terms.fullText.length > 0) {
      hit = 'MATCH(text) AGAINST (? IN BOOLEAN MODE)';
      bindings.push(booleanQuery(terms));
    }
    const where: string[] = [];
    if (channelId !== null) {
      where.push('channel_id = ?');
      bindings.push(channelId);
    }
    where.push('id < ?');
    bindings.push(before);
    for (const word of terms.literal) {
      where.push("text LIKE ? ESCAPE '!'");
      bindings.push(likePattern(word));
    }
    bindings.push(size);
    // Only ids and scores cross the wire; the few hits are then read whole.
    const sql = `SELECT id, ${hit} AS hit FROM messages WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`;
    const rows = await selectRows<{ id: number | string; hit: number | string }>(this.knex, sql, bindings);
    const ids = rows.filter((r) => Number(r.hit) > 0).map((r) => Number(r.id));
    const hits =
      ids.length === 0
        ? []
        : await selectRows<MessageRow>(
            this.knex,
            `SELECT ${WINDOW_COLUMNS} FROM messages WHERE id IN (${placeholders(ids.length)}) ORDER BY id DESC`,
            ids,
          );
    return {
      hits: hits.map(fromRow),
      lastId: rows.length > 0 ? Number(rows[rows.length - 1].id) : null,
      exhausted: rows.length < size,
    };
  }

  private match(q: Knex.QueryBuilder, terms: SearchTerms): void {
    if (terms.fullText.length > 0) {
      if (this.mysql) {
        q.whereRaw('MATCH(text) AGAINST (? IN BOOLEAN MODE)', [booleanQuery(terms)]);
      } else {
        const expr = terms.fullText.map((w) => `"${w.replace(/"/g, '""')}"*`).join(' ');
        q.whereRaw('id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)', [expr]);
      }
    }
    for (const word of terms.literal) q.whereRaw("text LIKE ? ESCAPE '!'", [likePattern(word)]);
  }
}

/** Every word required, as a prefix. Only letters and digits reach here: no word can act as an operator. */
function booleanQuery(terms: SearchTerms): string {
  return terms.fullText.map((w) => `+${w}*`).join(' ');
}
