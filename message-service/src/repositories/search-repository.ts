import { isMysql, type Knex } from '@canaduck/db';
import type { MessageRecord } from '../domain/message';
import { likePattern, type SearchTerms } from '../domain/search-terms';
import { fromRow, MESSAGE_COLUMNS, type MessageRow } from './rows';

/** What the caller may read: current channel incarnations, and their own private conversations. */
export interface SearchScope {
  channelIds: string[];
  /** Lower-cased pseudo whose private conversations are included, or null. */
  privateOf: string | null;
}

/** Full-text search over messages: FTS5 on SQLite, FULLTEXT in boolean mode on MySQL/MariaDB. */
export class SearchRepository {
  private readonly mysql: boolean;

  constructor(private readonly knex: Knex) {
    this.mysql = isMysql(knex);
  }

  /** Channel names holding at least one match (the caller then asks channel-service which it may read). */
  async matchingChannels(terms: SearchTerms, channel?: string): Promise<string[]> {
    const q = this.knex('messages').distinct('channel').whereNotNull('channel');
    if (channel) q.where('channel', channel);
    this.match(q, terms);
    const rows = (await q) as Array<{ channel: string }>;
    return rows.map((r) => r.channel);
  }

  async search(terms: SearchTerms, scope: SearchScope, offset: number, limit: number): Promise<MessageRecord[]> {
    if (scope.channelIds.length === 0 && !scope.privateOf) return [];
    const q = this.knex('messages').select(MESSAGE_COLUMNS);
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

  private match(q: Knex.QueryBuilder, terms: SearchTerms): void {
    if (terms.fullText.length > 0) {
      if (this.mysql) {
        // Only letters and digits reach here, so no word can act as a boolean-mode operator.
        q.whereRaw('MATCH(text) AGAINST (? IN BOOLEAN MODE)', [terms.fullText.map((w) => `+${w}*`).join(' ')]);
      } else {
        const expr = terms.fullText.map((w) => `"${w.replace(/"/g, '""')}"*`).join(' ');
        q.whereRaw('id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)', [expr]);
      }
    }
    for (const word of terms.literal) q.whereRaw("text LIKE ? ESCAPE '!'", [likePattern(word)]);
  }
}
