import type { Knex } from '@canaduck/db';
import type { SourceService, StreamEvent } from './types';

interface EventRow {
  seq: number | string;
  type: string;
  data: string;
  at: number | string;
}

/** A scrubbed event waiting for the relay; `event` is undefined once the event was pruned. */
export interface PendingScrub {
  id: number;
  event: (Omit<StreamEvent, 'seq'> & { seq: number | null }) | undefined;
}

export interface OutboxMeta {
  prunedThrough: number;
  relayedThrough: number;
}

/** Data access of the outbox tables (the only place that knows their columns). */
export class EventStore {
  constructor(
    private readonly knex: Knex,
    private readonly service: SourceService,
  ) {}

  async insert(trx: Knex.Transaction, rows: Array<{ type: string; subject: string | null; data: string; at: number }>): Promise<void> {
    if (rows.length > 0) await trx('outbox_events').insert(rows);
  }

  async scrub(trx: Knex.Transaction, subject: string, replace: (data: unknown) => unknown): Promise<number> {
    const rows = (await trx('outbox_events').where({ subject }).select('id', 'data')) as Array<{ id: number; data: string }>;
    for (const r of rows) {
      await trx('outbox_events')
        .where({ id: r.id })
        .update({ data: JSON.stringify(replace(JSON.parse(r.data))) });
    }
    // Same transaction: the NATS copies are replaced after the commit, even if NATS is down now.
    if (rows.length > 0) await trx('outbox_scrubs').insert(rows.map((r) => ({ event_id: r.id })));
    return rows.length;
  }

  /** The oldest scrubs the relay has not done yet, with their event as it is now (scrubbed). */
  async pendingScrubs(limit: number): Promise<PendingScrub[]> {
    const rows = (await this.knex('outbox_scrubs as s')
      .leftJoin('outbox_events as e', 'e.id', 's.event_id')
      .orderBy('s.id', 'asc')
      .limit(limit)
      .select('s.id as id', 'e.id as event_id', 'e.seq as seq', 'e.type as type', 'e.data as data', 'e.at as at')) as Array<
      { id: number | string; event_id: number | string | null } & Omit<EventRow, 'seq'> & { seq: number | string | null }
    >;
    return rows.map((r) => ({
      id: Number(r.id),
      event:
        r.event_id == null
          ? undefined
          : {
              service: this.service,
              seq: r.seq == null ? null : Number(r.seq),
              type: r.type,
              at: new Date(Number(r.at)).toISOString(),
              data: JSON.parse(r.data) as unknown,
            },
    }));
  }

  async finishScrub(id: number): Promise<void> {
    await this.knex('outbox_scrubs').where({ id }).delete();
  }

  /** Sequenced events with seq > after, in seq order. */
  async after(after: number, limit: number, q: Knex = this.knex): Promise<StreamEvent[]> {
    const rows = (await q('outbox_events')
      .where('seq', '>', after)
      .orderBy('seq', 'asc')
      .limit(limit)
      .select('seq', 'type', 'data', 'at')) as EventRow[];
    return rows.map((r) => ({
      service: this.service,
      seq: Number(r.seq),
      type: r.type,
      at: new Date(Number(r.at)).toISOString(),
      data: JSON.parse(r.data) as unknown,
    }));
  }

  /** The highest seq given; when pruning emptied the table, the seq pruned through. */
  async head(q: Knex = this.knex): Promise<number> {
    const row = (await q('outbox_events').max({ m: 'seq' }).first()) as { m: number | string | null } | undefined;
    if (row?.m != null) return Number(row.m);
    return (await this.meta(q)).prunedThrough;
  }

  async meta(q: Knex = this.knex): Promise<OutboxMeta> {
    const row = (await q('outbox_meta').where({ id: 1 }).first('pruned_through', 'relayed_through')) as
      { pruned_through: number | string; relayed_through: number | string } | undefined;
    return { prunedThrough: Number(row?.pruned_through ?? 0), relayedThrough: Number(row?.relayed_through ?? 0) };
  }

  async setRelayedThrough(seq: number, q: Knex = this.knex): Promise<void> {
    await q('outbox_meta').where({ id: 1 }).update({ relayed_through: seq });
  }

  /**
   * Gives the committed, unsequenced events (in insertion order) the next dense seqs, in the
   * caller's transaction. Returns the new head, or 0 when nothing was waiting.
   */
  async sequencePending(trx: Knex.Transaction, batch: number): Promise<number> {
    const pending = (await trx('outbox_events').whereNull('seq').orderBy('id', 'asc').limit(batch).select('id')) as Array<{
      id: number | string;
    }>;
    if (pending.length === 0) return 0;
    const head = await this.head(trx);
    const ids = pending.map((p) => Number(p.id));
    // One point update per row, by primary key: a single UPDATE ... WHERE id IN (...) may be run
    // as a scan on a small table, which locks the row of a transaction still open and waits for it.
    for (let i = 0; i < ids.length; i++) {
      await trx('outbox_events')
        .where({ id: ids[i] })
        .update({ seq: head + i + 1 });
    }
    return head + ids.length;
  }

  /**
   * Deletes the oldest events written before `cutoff`, stopping at the first one that is newer
   * (seq order and `at` order may differ), and records how far it went.
   */
  async prune(trx: Knex.Transaction, cutoff: number): Promise<number> {
    const meta = await this.meta(trx);
    const firstYoung = (await trx('outbox_events').whereNotNull('seq').where('at', '>=', cutoff).min({ m: 'seq' }).first()) as
      { m: number | string | null } | undefined;
    const through = firstYoung?.m != null ? Number(firstYoung.m) - 1 : await this.head(trx);
    if (through <= meta.prunedThrough) return meta.prunedThrough;
    await trx('outbox_events').whereNotNull('seq').where('seq', '<=', through).delete();
    // Scrubs of pruned events: their JetStream copies expire with the same retention.
    await trx('outbox_scrubs')
      .whereNotExists((q) => q.select('id').from('outbox_events').whereRaw('outbox_events.id = outbox_scrubs.event_id'))
      .delete();
    await trx('outbox_meta').where({ id: 1 }).update({ pruned_through: through });
    return through;
  }
}
