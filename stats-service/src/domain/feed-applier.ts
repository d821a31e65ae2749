import type { Transactor } from '@canaduck/db';
import type { Logger } from '@canaduck/logging';
import { pseudoKey } from '@canaduck/service-kit';
import { planBatch, type ReactionKey } from '../feed/batch-plan';
import { feedEventSchema, parseEvent, type FeedEvent, type StatsEvent } from '../feed/event-schemas';
import type { AggregatesRepository } from '../repositories/aggregates-repository';
import type { StatsStateRepository } from '../repositories/stats-state-repository';

export interface ApplyResult {
  /** Events applied (including those that change no statistic, like pins). */
  applied: number;
  /** Malformed or unknown events, logged and passed over. */
  skipped: number;
  /** Events at or below the stored last_seq: already applied, ignored. */
  replayed: number;
  lastSeq: number;
}

export interface FeedApplierDeps {
  db: Transactor;
  state: StatsStateRepository;
  aggregates: AggregatesRepository;
  logger: Logger;
}

/**
 * Applies pages of message-service's feed to the aggregates. This is where the stats-service's
 * transaction opens: "a page and its last_seq commit together" is the rule that makes the feed
 * exactly-once, so it belongs to the domain, not to one repository among the three it writes.
 */
export class FeedApplier {
  constructor(private readonly deps: FeedApplierDeps) {}

  /**
   * Applies one page in ONE transaction together with the new last_seq: a crash leaves either the
   * whole batch or nothing, and events at or below the stored last_seq (a replay, an overlapping
   * page) are ignored.
   */
  async apply(raw: unknown[]): Promise<ApplyResult> {
    return this.deps.db.transaction(async (trx) => {
      const stored = await this.deps.state.readForUpdate(trx);
      const result: ApplyResult = { applied: 0, skipped: 0, replayed: 0, lastSeq: stored.lastSeq };
      const { events, lastSeq, asOf } = this.readPage(raw, stored.lastSeq, stored.asOf, result);
      if (lastSeq === stored.lastSeq) return result;

      const ids: number[] = [];
      const reactionKeys: ReactionKey[] = [];
      for (const e of events) {
        if (e.kind === 'reaction') {
          ids.push(e.messageId);
          reactionKeys.push({ message_id: e.messageId, emoji: e.emoji, pseudo_key: pseudoKey(e.pseudo) });
        } else if (e.kind !== 'ignored') ids.push(e.id);
      }
      const { aggregates } = this.deps;
      const plan = planBatch(events, await aggregates.loadMessages(ids, trx), await aggregates.loadReactions(reactionKeys, trx));
      await aggregates.writePlan(plan, trx);
      await this.deps.state.save({ lastSeq, asOf }, trx);
      result.lastSeq = lastSeq;
      return result;
    });
  }

  /** The page's new events in seq order, checked; counts the replayed and skipped ones in `result`. */
  private readPage(raw: unknown[], stored: number, storedAsOf: number | null, result: ApplyResult) {
    const envelopes: FeedEvent[] = [];
    for (const item of raw) {
      const env = feedEventSchema.safeParse(item);
      if (!env.success) {
        result.skipped += 1;
        this.deps.logger.warn({ event: item }, 'feed event without a valid envelope: skipped');
        continue;
      }
      if (env.data.seq <= stored) result.replayed += 1;
      else envelopes.push(env.data);
    }
    envelopes.sort((a, b) => a.seq - b.seq);

    const events: StatsEvent[] = [];
    let lastSeq = stored;
    let asOf = storedAsOf;
    for (const e of envelopes) {
      if (e.seq === lastSeq) continue; // the same seq twice in one page
      lastSeq = e.seq;
      const parsed = parseEvent(e);
      if ('problem' in parsed) {
        result.skipped += 1;
        this.deps.logger.warn({ seq: e.seq, type: e.type, problem: parsed.problem }, 'bad feed event: skipped');
        continue;
      }
      events.push(parsed.event);
      result.applied += 1;
      const at = Date.parse(e.at);
      if (!Number.isNaN(at)) asOf = at;
    }
    return { events, lastSeq, asOf };
  }
}
