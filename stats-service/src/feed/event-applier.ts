import { isMysql, type Knex } from '@canaduck/db';
import type { Logger } from '@canaduck/logging';
import { pseudoKey } from '@canaduck/service-kit';
import { planBatch, type ReactionKey } from './batch-plan';
import { feedEventSchema, parseEvent, type StatsEvent } from './event-schemas';
import { loadMessages, loadReactions, writePlan } from '../repositories/aggregate-writer';

export interface ApplyResult {
  /** Events applied (including those that change no statistic, like pins). */
  applied: number;
  /** Malformed or unknown events, logged and passed over. */
  skipped: number;
  /** Events at or below the stored last_seq: already applied, ignored. */
  replayed: number;
  lastSeq: number;
}

/**
 * Applies one page of the feed in ONE transaction together with the new last_seq:
 * a crash leaves either the whole batch or nothing, and events at or below the
 * stored last_seq (a replay, an overlapping page) are ignored.
 */
export async function applyEvents(knex: Knex, raw: unknown[], logger: Logger): Promise<ApplyResult> {
  return knex.transaction(async (trx) => {
    const stateQuery = trx('stats_state').where({ id: 1 }).first('last_seq', 'as_of');
    // Two instances polling at once serialise on the state row (SQLite has a single writer anyway).
    const state = (await (isMysql(trx) ? stateQuery.forUpdate() : stateQuery)) as { last_seq: unknown; as_of: unknown };
    const stored = Number(state.last_seq);
    let lastSeq = stored;
    let asOf = state.as_of === null ? null : Number(state.as_of);
    const result: ApplyResult = { applied: 0, skipped: 0, replayed: 0, lastSeq: stored };

    const envelopes = [];
    for (const item of raw) {
      const env = feedEventSchema.safeParse(item);
      if (!env.success) {
        result.skipped += 1;
        logger.warn({ event: item }, 'feed event without a valid envelope: skipped');
        continue;
      }
      if (env.data.seq <= stored) result.replayed += 1;
      else envelopes.push(env.data);
    }
    envelopes.sort((a, b) => a.seq - b.seq);

    const events: StatsEvent[] = [];
    let previous = stored;
    for (const e of envelopes) {
      if (e.seq === previous) continue; // the same seq twice in one page
      previous = e.seq;
      lastSeq = e.seq;
      const parsed = parseEvent(e);
      if ('problem' in parsed) {
        result.skipped += 1;
        logger.warn({ seq: e.seq, type: e.type, problem: parsed.problem }, 'bad feed event: skipped');
        continue;
      }
      events.push(parsed.event);
      result.applied += 1;
      const at = Date.parse(e.at);
      if (!Number.isNaN(at)) asOf = at;
    }
    if (lastSeq === stored) return result;

    const ids: number[] = [];
    const reactionKeys: ReactionKey[] = [];
    for (const e of events) {
      if (e.kind === 'reaction') {
        ids.push(e.messageId);
        reactionKeys.push({ message_id: e.messageId, emoji: e.emoji, pseudo_key: pseudoKey(e.pseudo) });
      } else if (e.kind !== 'ignored') ids.push(e.id);
    }
    const plan = planBatch(events, await loadMessages(trx, ids), await loadReactions(trx, reactionKeys));
    await writePlan(trx, plan);
    await trx('stats_state').where({ id: 1 }).update({ last_seq: lastSeq, as_of: asOf });
    result.lastSeq = lastSeq;
    return result;
  });
}
