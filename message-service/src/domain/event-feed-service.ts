import type { EventsPage, MessageEvent } from '@canaduck/contracts';
import type { EventRepository, StoredEvent } from '../repositories/event-repository';

export interface EventFeedServiceDeps {
  events: EventRepository;
  /** See EVENT_GAP_WAIT_MS. */
  gapWaitMs: number;
  now: () => number;
}

/**
 * The outbox feed. On MySQL, `seq` is taken at insert but becomes visible at commit, so a reader
 * could see seq 18 before a slower transaction commits seq 17 and then skip 17 forever. The feed
 * therefore stops before a gap until the event after it is `gapWaitMs` old: by then the missing
 * number belongs to a transaction that rolled back (InnoDB does not reuse it), not one in flight.
 */
export class EventFeedService {
  constructor(private readonly deps: EventFeedServiceDeps) {}

  async read(after: number, limit: number): Promise<EventsPage> {
    const now = this.deps.now();
    const rows = await this.deps.events.after(after, limit);
    const ready: StoredEvent[] = [];
    let expected = after + 1;
    for (const e of rows) {
      if (e.seq !== expected && now - e.at < this.deps.gapWaitMs) break;
      ready.push(e);
      expected = e.seq + 1;
    }
    return {
      // `data` was written by this service for its `type` (event-repository.ts, migration 002).
      events: ready.map((e) => ({ seq: e.seq, type: e.type, at: new Date(e.at).toISOString(), data: e.data }) as MessageEvent),
      last_seq: ready.length > 0 ? ready[ready.length - 1].seq : after,
    };
  }
}
