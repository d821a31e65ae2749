import type { EventRepository, StoredEvent } from '../repositories/event-repository';

export interface FeedPage {
  events: Array<{ seq: number; type: string; at: string; data: unknown }>;
  last_seq: number;
}

/**
 * The outbox feed. On MySQL, `seq` is taken at insert but becomes visible at commit, so a reader
 * could see seq 18 before a slower transaction commits seq 17 and then skip 17 forever. The feed
 * therefore stops before a gap until the event after it is `gapWaitMs` old: by then the missing
 * number belongs to a transaction that rolled back (InnoDB does not reuse it), not one in flight.
 */
export class EventFeed {
  constructor(
    private readonly events: EventRepository,
    private readonly gapWaitMs: number,
  ) {}

  async read(after: number, limit: number, now = Date.now()): Promise<FeedPage> {
    const rows = await this.events.after(after, limit);
    const ready: StoredEvent[] = [];
    let expected = after + 1;
    for (const e of rows) {
      if (e.seq !== expected && now - e.at < this.gapWaitMs) break;
      ready.push(e);
      expected = e.seq + 1;
    }
    return {
      events: ready.map((e) => ({ seq: e.seq, type: e.type, at: new Date(e.at).toISOString(), data: e.data })),
      last_seq: ready.length > 0 ? ready[ready.length - 1].seq : after,
    };
  }
}
