import type { Knex } from '@canaduck/db';
import { EventStore } from './event-store';
import type { NewEvent, SourceService } from './types';

/**
 * The transactional outbox: a change writes its events in its own transaction, so an event
 * exists if and only if the change committed. They get their `seq` after commit (EventBackbone).
 */
export class Outbox {
  private readonly store: EventStore;
  private readonly now: () => number;

  constructor(o: { knex: Knex; service: SourceService; now?: () => number }) {
    this.store = new EventStore(o.knex, o.service);
    this.now = o.now ?? Date.now;
  }

  /** Inserts the events in the caller's transaction; call EventBackbone.poke() after the commit. */
  async append(trx: Knex.Transaction, events: NewEvent[]): Promise<void> {
    const at = this.now();
    await this.store.insert(
      trx,
      events.map((e) => ({ type: e.type, subject: e.subject ?? null, data: JSON.stringify(e.data ?? null), at })),
    );
  }

  /** Rewrites the stored payloads of a subject (e.g. removes a deleted message's text). */
  async scrub(trx: Knex.Transaction, subject: string, replace: (data: unknown) => unknown): Promise<number> {
    return this.store.scrub(trx, subject, replace);
  }
}
