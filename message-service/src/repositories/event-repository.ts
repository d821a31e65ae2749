import type { Knex } from '@canaduck/db';

export type EventType =
  'message.created' | 'message.edited' | 'message.deleted' | 'reaction.added' | 'reaction.removed' | 'message.pinned' | 'message.unpinned';

export interface StoredEvent {
  seq: number;
  type: EventType;
  at: number;
  data: unknown;
}

/** The transactional outbox: every change appends its event inside the change's own transaction. */
export class EventRepository {
  constructor(private readonly knex: Knex) {}

  async append(db: Knex.Transaction, type: EventType, data: unknown, at: number): Promise<void> {
    await db('events').insert({ type, data: JSON.stringify(data), at });
  }

  async after(after: number, limit: number): Promise<StoredEvent[]> {
    const rows = (await this.knex('events')
      .select('seq', 'type', 'data', 'at')
      .where('seq', '>', after)
      .orderBy('seq', 'asc')
      .limit(limit)) as Array<{
      seq: number | string;
      type: EventType;
      data: string;
      at: number | string;
    }>;
    return rows.map((r) => ({ seq: Number(r.seq), type: r.type, at: Number(r.at), data: JSON.parse(r.data) as unknown }));
  }
}
