import { isMysql, type Knex } from '@canaduck/db';
import { type BatchPlan, type MessageRow, type ReactionKey, reactionId } from '../feed/batch-plan';

const CHUNK = 200;

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** `column + <the inserted value>` in an upsert, in each dialect. */
function addExcluded(q: Knex, table: string, column: string): Knex.Raw {
  return isMysql(q) ? q.raw('?? + VALUES(??)', [column, column]) : q.raw('??.?? + excluded.??', [table, column, column]);
}

/** The later of the stored and inserted times, ignoring nulls. */
function laterExcluded(q: Knex, table: string, column: string): Knex.Raw {
  return isMysql(q)
    ? q.raw('IF(VALUES(??) IS NULL, ??, IF(?? IS NULL OR VALUES(??) > ??, VALUES(??), ??))', [
        column,
        column,
        column,
        column,
        column,
        column,
        column,
      ])
    : q.raw('CASE WHEN excluded.?? IS NULL THEN ??.?? WHEN ??.?? IS NULL OR excluded.?? > ??.?? THEN excluded.?? ELSE ??.?? END', [
        column,
        table,
        column,
        table,
        column,
        column,
        table,
        column,
        column,
        table,
        column,
      ]);
}

function toRow(r: Record<string, unknown>): MessageRow {
  return {
    id: Number(r.id),
    channel: (r.channel as string | null) ?? null,
    channel_key: String(r.channel_key),
    from_key: String(r.from_key),
    pseudo: String(r.pseudo),
    private: Number(r.private) === 1 || r.private === true,
    hour: Number(r.hour),
    created_at: Number(r.created_at),
    text: String(r.text),
    reactions_count: Number(r.reactions_count),
  };
}

/**
 * The write side of the aggregates: the per-message rows, the reactions and the counters. A batch
 * is read and written inside the feed applier's transaction, passed as `trx`.
 */
export class AggregatesRepository {
  constructor(private readonly knex: Knex) {}

  /** The stored rows of the messages a batch touches. */
  async loadMessages(ids: number[], trx?: Knex.Transaction): Promise<Map<number, MessageRow>> {
    const q = trx ?? this.knex;
    const found = new Map<number, MessageRow>();
    for (const part of chunks([...new Set(ids)], 500)) {
      const rows = (await q('stats_messages').whereIn('id', part)) as Record<string, unknown>[];
      for (const r of rows) found.set(Number(r.id), toRow(r));
    }
    return found;
  }

  /** Which of these reactions are already stored. */
  async loadReactions(keys: ReactionKey[], trx?: Knex.Transaction): Promise<Set<string>> {
    const q = trx ?? this.knex;
    const found = new Set<string>();
    for (const part of chunks(keys)) {
      const rows = (await q('stats_reactions').whereIn(
        ['message_id', 'emoji', 'pseudo_key'],
        part.map((k) => [k.message_id, k.emoji, k.pseudo_key]),
      )) as ReactionKey[];
      for (const r of rows) found.add(reactionId({ message_id: Number(r.message_id), emoji: r.emoji, pseudo_key: r.pseudo_key }));
    }
    return found;
  }

  /** Writes a batch plan; its several statements belong in the caller's transaction. */
  async writePlan(plan: BatchPlan, trx?: Knex.Transaction): Promise<void> {
    const q = trx ?? this.knex;
    for (const part of chunks(plan.insertMessages)) {
      await q('stats_messages').insert(part).onConflict('id').ignore();
    }
    for (const row of plan.updateMessages) {
      await q('stats_messages').where({ id: row.id }).update({ text: row.text, reactions_count: row.reactions_count });
    }
    for (const part of chunks(plan.deleteMessageIds, 500)) {
      await q('stats_reactions').whereIn('message_id', part).delete();
      await q('stats_messages').whereIn('id', part).delete();
    }
    for (const part of chunks(plan.insertReactions)) {
      await q('stats_reactions').insert(part).onConflict(['message_id', 'emoji', 'pseudo_key']).ignore();
    }
    for (const part of chunks(plan.deleteReactions)) {
      await q('stats_reactions')
        .whereIn(
          ['message_id', 'emoji', 'pseudo_key'],
          part.map((k) => [k.message_id, k.emoji, k.pseudo_key]),
        )
        .delete();
    }
    await writeCounters(q, plan);
    const names = [...plan.channelNames].map((name) => ({ name, channel_id: null, private: false, secret: false, checked_at: null }));
    for (const part of chunks(names)) await q('stats_channels').insert(part).onConflict('name').ignore();
  }
}

async function writeCounters(q: Knex, plan: BatchPlan): Promise<void> {
  const channels = [...plan.channelDeltas].filter(([, d]) => d.messages !== 0);
  for (const part of chunks(channels)) {
    await q('stats_channel_counts')
      .insert(part.map(([key, d]) => ({ channel_key: key, channel: d.channel, messages: d.messages, last_message_at: d.lastAt })))
      .onConflict('channel_key')
      .merge({
        messages: addExcluded(q, 'stats_channel_counts', 'messages'),
        last_message_at: laterExcluded(q, 'stats_channel_counts', 'last_message_at'),
      });
  }
  const users = [...plan.userDeltas.values()].filter((d) => d.messages !== 0);
  for (const part of chunks(users)) {
    await q('stats_user_counts')
      .insert(part.map((d) => ({ channel_key: d.channelKey, from_key: d.fromKey, pseudo: d.pseudo, messages: d.messages })))
      .onConflict(['channel_key', 'from_key'])
      .merge({ messages: addExcluded(q, 'stats_user_counts', 'messages') });
  }
  const hours = [...plan.hourDeltas.values()].filter((d) => d.messages !== 0);
  for (const part of chunks(hours)) {
    await q('stats_hourly_counts')
      .insert(part.map((d) => ({ hour: d.hour, channel_key: d.channelKey, messages: d.messages })))
      .onConflict(['hour', 'channel_key'])
      .merge({ messages: addExcluded(q, 'stats_hourly_counts', 'messages') });
  }

  // A counter that reached zero is removed, so the tables hold only live keys.
  const shrunkChannels = channels.filter(([, d]) => d.messages < 0).map(([key]) => key);
  for (const part of chunks(shrunkChannels, 500)) {
    await q('stats_channel_counts').whereIn('channel_key', part).andWhere('messages', '<=', 0).delete();
  }
  for (const part of chunks(users.filter((d) => d.messages < 0))) {
    await q('stats_user_counts')
      .whereIn(
        ['channel_key', 'from_key'],
        part.map((d) => [d.channelKey, d.fromKey]),
      )
      .andWhere('messages', '<=', 0)
      .delete();
  }
  for (const part of chunks(hours.filter((d) => d.messages < 0))) {
    await q('stats_hourly_counts')
      .whereIn(
        ['hour', 'channel_key'],
        part.map((d) => [d.hour, d.channelKey]),
      )
      .andWhere('messages', '<=', 0)
      .delete();
  }
  // The newest message of a channel may have been deleted: ask the (channel, time) index.
  for (const part of chunks([...plan.channelsWithDeletes], 500)) {
    await q('stats_channel_counts')
      .whereIn('channel_key', part)
      .update({
        last_message_at: q('stats_messages as m').max('m.created_at').where('m.channel_key', q.ref('stats_channel_counts.channel_key')),
      });
  }
}
