import { pseudoKey } from '@canaduck/service-kit';
import type { ChannelAccess } from '../clients';
import type { SearchRepository } from '../repositories/search-repository';
import type { AccessPolicy, Actor } from './access-policy';
import { toView } from './message';
import type { Store } from './message-service';
import { splitSearchTerms } from './search-terms';

/** Channels asked about at once while filtering search results (the answers are cached anyway). */
const ACCESS_BATCH = 16;

/** Full-text search restricted to what the caller may read. */
export class SearchService {
  constructor(
    private readonly store: Store,
    private readonly search: SearchRepository,
    private readonly policy: AccessPolicy,
  ) {}

  /**
   * With `channel`: that channel only (404 unknown, 403 unreadable). Without: every channel holding
   * a match is checked with channel-service and only readable ones (current incarnation) are kept,
   * plus the caller's own private conversations. Newest first.
   */
  async find(actor: Actor, q: string, channel: string | undefined, offset: number, limit: number) {
    const terms = splitSearchTerms(q);
    let channelIds: string[];
    let privateOf: string | null = null;
    if (channel !== undefined) {
      channelIds = [(await this.policy.readableChannel(actor, channel)).channel_id];
    } else {
      const names = await this.search.matchingChannels(terms);
      const answers: ChannelAccess[] = [];
      for (let i = 0; i < names.length; i += ACCESS_BATCH) {
        answers.push(...(await Promise.all(names.slice(i, i + ACCESS_BATCH).map((n) => this.policy.channelAccess(actor, n)))));
      }
      channelIds = answers.filter((a) => a.can_read && a.channel_id).map((a) => a.channel_id as string);
      privateOf = pseudoKey(actor.pseudo);
    }
    const rows = await this.search.search(terms, { channelIds, privateOf }, offset, limit);
    const reactions = await this.store.reactions.forMessages(rows.map((r) => r.id));
    return {
      messages: rows.map((r) => toView(r, reactions)),
      offset,
      limit,
      next_offset: rows.length < limit ? null : offset + rows.length,
    };
  }
}
