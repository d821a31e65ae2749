import { isMysql, type Knex } from '@canaduck/db';
import type { SourceService } from '@canaduck/events';

/** `stream_cursors`: the last seq applied of each stream channel-service follows. */
export class StreamCursorRepository {
  constructor(private readonly knex: Knex) {}

  async read(stream: SourceService, trx?: Knex.Transaction): Promise<number> {
    const db = trx ?? this.knex;
    const row = (await db('stream_cursors').where({ stream }).first('last_seq')) as { last_seq: unknown } | undefined;
    return Number(row?.last_seq ?? 0);
  }

  /**
   * Reads the cursor and, on MySQL, locks its row until `trx` ends: replicas applying the same
   * events serialise here, and the second one finds them already applied (SQLite has a single writer).
   */
  async readForUpdate(stream: SourceService, trx: Knex.Transaction): Promise<number> {
    const query = trx('stream_cursors').where({ stream }).first('last_seq');
    const row = (await (isMysql(trx) ? query.forUpdate() : query)) as { last_seq: unknown } | undefined;
    return Number(row?.last_seq ?? 0);
  }

  async save(stream: SourceService, lastSeq: number, trx: Knex.Transaction): Promise<void> {
    await trx('stream_cursors').where({ stream }).update({ last_seq: lastSeq });
  }
}
