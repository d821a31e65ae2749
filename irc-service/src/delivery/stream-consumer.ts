import type { EventSubscription, EventTransport, SourceService, StreamEvent } from '@canaduck/events';
import type { Logger } from '@canaduck/logging';

/**
 * Subscribes the router to the event streams, from their heads: the door delivers what happens
 * while it runs; clients fetch what they missed with CHATHISTORY. Adding the channel or user
 * stream is adding its name to `services` (the router already knows their event types).
 */
export class StreamConsumer {
  private readonly subs: EventSubscription[] = [];
  private stopped = false;
  private readonly starting: Array<Promise<void>> = [];

  constructor(
    private readonly o: {
      transport: EventTransport;
      services: SourceService[];
      handler: (events: StreamEvent[]) => Promise<void>;
      /** Answers a stream's current head (its last seq). */
      head: (service: SourceService) => Promise<number>;
      logger: Logger;
    },
  ) {}

  /** Subscribes each stream once its head is known (retried while its service is down). */
  async start(): Promise<void> {
    for (const service of this.o.services) this.starting.push(this.subscribeFromHead(service));
    // The first attempt is awaited so that a door started with its services up delivers at once.
    await Promise.race([Promise.all(this.starting), new Promise((r) => setTimeout(r, 2000).unref())]);
  }

  private async subscribeFromHead(service: SourceService): Promise<void> {
    let after: number | undefined;
    // Reading from 0 would replay the whole history to every client: wait for the head instead.
    for (let attempt = 0; after === undefined && !this.stopped; attempt++) {
      after = await this.o.head(service).catch((err: Error) => {
        if (attempt === 0) this.o.logger.warn({ service, err: err.message }, 'stream head unknown yet: retrying');
        return undefined;
      });
      if (after === undefined) await new Promise((r) => setTimeout(r, 1000));
    }
    if (this.stopped || after === undefined) return;
    this.subs.push(
      this.o.transport.subscribe({
        service,
        after,
        handler: this.o.handler,
        // Too far behind (a long outage): skip to what the stream still holds; history covers the gap.
        onResync: (info) => info.firstAvailable - 1,
      }),
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.starting);
    await Promise.all(this.subs.map((s) => s.stop()));
    await this.o.transport.close();
  }
}

/** A feed's reader (message-service's or channel-service's GET /internal/events). */
export interface FeedReader {
  events(after: number, limit: number): Promise<{ status: number; data: { events: unknown[]; last_seq: number } }>;
}

/** The head of a service's feed, paged through (the feeds have no head route of their own). */
export async function feedHead(feed: FeedReader): Promise<number> {
  let cursor = 0;
  for (;;) {
    const r = await feed.events(cursor, 5000);
    if (r.status !== 200) throw new Error(`event feed answered ${r.status}`);
    cursor = Math.max(cursor, r.data.last_seq);
    if (r.data.events.length < 5000) return cursor;
  }
}
