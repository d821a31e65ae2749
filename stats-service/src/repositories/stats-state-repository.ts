import { isMysql, type Knex } from '@canaduck/db';

/** How far the feed has been applied: the last seq and the time (`at`) of the last event. */
export interface FeedState {
  lastSeq: number;
  /** Epoch ms; null before the first event. */
  asOf: number | null;
}

const numberOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** The single row of `stats_state`. */
export class StatsStateRepository {
  constructor(private readonly knex: Knex) {}

  async read(trx?: Knex.Transaction): Promise<FeedState> {
    const q = trx ?? this.knex;
    const row = (await q('stats_state').where({ id: 1 }).first('last_seq', 'as_of')) as {
      last_seq: unknown;
      as_of: unknown;
    };
    return { lastSeq: Number(row.last_seq), asOf: numberOrNull(row.as_of) };
  }

  /**
   * Reads the row and, on MySQL, locks it until `trx` ends: two instances applying pages at
   * once serialise here (SQLite has a single writer anyway).
   */
  async readForUpdate(trx: Knex.Transaction): Promise<FeedState> {
    const query = trx('stats_state').where({ id: 1 }).first('last_seq', 'as_of');
    const row = (await (isMysql(trx) ? query.forUpdate() : query)) as { last_seq: unknown; as_of: unknown };
    return { lastSeq: Number(row.last_seq), asOf: numberOrNull(row.as_of) };
  }

  async save(state: FeedState, trx?: Knex.Transaction): Promise<void> {
    const q = trx ?? this.knex;
    await q('stats_state').where({ id: 1 }).update({ last_seq: state.lastSeq, as_of: state.asOf });
  }
}
