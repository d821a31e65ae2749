import type { MessageEvent, MessageEventType } from '@canaduck/contracts';
import type { Knex } from '@canaduck/db';

export type EventType = MessageEventType;

export interface StoredEvent {
  seq: number;
  type: EventType;
  at: number;
  data: unknown;
}

/** The transactional outbox: every change appends its event inside the change's own transaction. */
export class EventRepository {
  constructor(private readonly knex: Knex) {}

  /** `data` as the contract gives it for `type` (@canaduck/contracts, structures.md section 5). */
  async append<T extends EventType>(
    type: T,
    data: Extract<MessageEvent, { type: T }>['data'],
    at: number,
    trx?: Knex.Transaction,
  ): Promise<void> {
    await (trx ?? this.knex)('events').insert({ type, data: JSON.stringify(data), at });
  }

  async after(after: number, limit: number, trx?: Knex.Transaction): Promise<StoredEvent[]> {
    const rows = (await (trx ?? this.knex)('events')
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
