import { BadRequestError } from '@canaduck/errors';
import { pseudoKey } from '@canaduck/service-kit';
import type { ChannelAccess } from '../clients';
import type { SearchRepository } from '../repositories/search-repository';
import type { SearchWordsRepository } from '../repositories/search-words-repository';
import { type AccessPolicy, type Actor, isParticipant } from './access-policy';
import { type MessageRecord, toView } from './message';
import { type SearchTerms, splitSearchTerms } from './search-terms';

/** Channels asked about at once while filtering search results (the answers are cached anyway). */
const ACCESS_BATCH = 16;
/** The newest-first walk: first window, largest window, and rows read before the FULLTEXT query takes over. */
const FIRST_WINDOW = 256;
const MAX_WINDOW = 4096;
const WALK_MAX_ROWS = 20_000;
/** Channel incarnations a search everywhere checks access to before reading their postings; beyond, the walk. */
const MAX_INDEXED_CHANNELS = 500;

/** Full-text search restricted to what the caller may read. */
export interface SearchServiceDeps {
  search: SearchRepository;
  /** MySQL's postings tables (search_words, search_words_private). */
  words: SearchWordsRepository;
  policy: AccessPolicy;
  /** SEARCH_MAX_WINDOW: offset + limit at most this (a deep offset reads every match before it). */
  maxWindow: number;
}

/** A search page: offset and limit, below the optional `before` id (newest first). */
export interface SearchPage {
  offset: number;
  limit: number;
  before?: number;
}

export class SearchService {
  constructor(private readonly deps: SearchServiceDeps) {}

  /**
   * With `channel`: that channel only (404 unknown, 403 unreadable). Without: every channel holding
   * a match is checked with channel-service and only readable ones (current incarnation) are kept,
   * plus the caller's own private conversations. Newest first.
   */
  async find(actor: Actor, q: string, channel: string | undefined, page: SearchPage) {
    const { offset, limit } = page;
    if (offset + limit > this.deps.maxWindow) {
      throw new BadRequestError(
        `a search page ends at offset + limit ${this.deps.maxWindow} at most: to go further, pass before=<next_before of the previous page>`,
        'search_too_deep',
      );
    }
    const terms = splitSearchTerms(q);
    const before = page.before ?? Number.MAX_SAFE_INTEGER;
    const rows =
      channel !== undefined
        ? await this.inChannel(terms, (await this.deps.policy.readableChannel(actor, channel)).channel_id, offset, limit, before)
        : await this.everywhere(actor, terms, offset, limit, before);
    // Each row carries its reactions (messages.reactions, migration 004): no second query.
    const full = rows.length >= limit;
    return {
      messages: rows.map((r) => toView(r)),
      offset,
      limit,
      next_offset: full ? offset + rows.length : null,
      next_before: full ? rows[rows.length - 1].id : null,
    };
  }

  private async inChannel(terms: SearchTerms, channelId: string, offset: number, limit: number, before: number) {
    // MySQL with full-text words: the postings table, whose cost follows the page, not the table.
    if (this.deps.search.hasPostings(terms))
      return (await this.deps.words.inChannel(terms, channelId, offset + limit, before)).slice(offset);
    const walked = await this.walk(terms, channelId, offset + limit, async (hits) => hits, before);
    return walked?.slice(offset) ?? this.deps.search.search(terms, { channelIds: [channelId], privateOf: null }, offset, limit, before);
  }

  private async everywhere(actor: Actor, terms: SearchTerms, offset: number, limit: number, before: number) {
    const me = pseudoKey(actor.pseudo);
    const indexed = await this.indexedEverywhere(actor, terms, me, offset + limit, before);
    if (indexed) return indexed.slice(offset);
    // Same scope as the FULLTEXT query below: current incarnations of readable channels, own conversations.
    const walked = await this.walk(
      terms,
      null,
      offset + limit,
      async (hits) => {
        const names = [...new Set(hits.flatMap((m) => (m.channel === null ? [] : [m.channel])))];
        const readable = new Map((await this.accessOf(actor, names)).map((a) => [a.channel, a]));
        return hits.filter((m) => {
          if (m.channel === null) return isParticipant(actor, m);
          const a = readable.get(m.channel);
          return a !== undefined && a.can_read && a.channel_id !== null && a.channel_id === m.channelId;
        });
      },
      before,
    );
    if (walked) return walked.slice(offset);
    const names = await this.deps.search.matchingChannels(terms);
    const channelIds = (await this.accessOf(actor, names)).filter((a) => a.can_read && a.channel_id).map((a) => a.channel_id as string);
    return this.deps.search.search(terms, { channelIds, privateOf: me }, offset, limit, before);
  }

  /**
   * MySQL: the postings of every readable channel incarnation (checked with channel-service, whose
   * answers are cached) and of the caller's own conversations. Null where the postings cannot
   * answer (SQLite, only literal words, too many channels or posting lists).
   */
  private async indexedEverywhere(
    actor: Actor,
    terms: SearchTerms,
    me: string,
    need: number,
    before: number,
  ): Promise<MessageRecord[] | null> {
    if (!this.deps.search.hasPostings(terms)) return null;
    const incarnations = await this.deps.search.channelIncarnations(MAX_INDEXED_CHANNELS);
    if (incarnations === null) return null;
    const names = [...new Set(incarnations.map((i) => i.channel))];
    const access = new Map((await this.accessOf(actor, names)).map((a) => [a.channel, a]));
    const channelIds = incarnations
      .filter((i) => {
        const a = access.get(i.channel);
        return a !== undefined && a.can_read && a.channel_id === i.channelId;
      })
      .map((i) => i.channelId);
    return this.deps.words.everywhere(terms, { channelIds, privateOf: me }, need, before);
  }

  /** channel-service's answers for these channel names, keyed by the name asked. */
  private async accessOf(actor: Actor, names: string[]): Promise<ChannelAccess[]> {
    const answers: ChannelAccess[] = [];
    for (let i = 0; i < names.length; i += ACCESS_BATCH) {
      const batch = names.slice(i, i + ACCESS_BATCH);
      const got = await Promise.all(batch.map((n) => this.deps.policy.channelAccess(actor, n)));
      answers.push(...got.map((a, j) => ({ ...a, channel: batch[j] })));
    }
    return answers;
  }

  /**
   * MySQL: the newest messages in growing windows, keeping the readable hits, until `need` of them.
   * Null when the FULLTEXT query must answer instead: after WALK_MAX_ROWS rows (a rare word), or
   * when nothing matched at all (InnoDB scores a match 0 when its words are in every document, so
   * a walk that saw no hit proves nothing).
   */
  private async walk(
    terms: SearchTerms,
    channelId: string | null,
    need: number,
    keep: (hits: MessageRecord[]) => Promise<MessageRecord[]>,
    below: number,
  ): Promise<MessageRecord[] | null> {
    if (!this.deps.search.walks) return null;
    const found: MessageRecord[] = [];
    let sawHit = false;
    let before = below;
    let read = 0;
    for (let size = FIRST_WINDOW; read < WALK_MAX_ROWS; size = Math.min(size * 4, MAX_WINDOW)) {
      const w = await this.deps.search.window(terms, channelId, before, size);
      if (w.hits.length > 0) {
        sawHit = true;
        found.push(...(await keep(w.hits)));
        if (found.length >= need) return found.slice(0, need);
      }
      if (w.exhausted || w.lastId === null) return sawHit ? found : null;
      before = w.lastId;
      read += size;
    }
    return null;
  }
}
