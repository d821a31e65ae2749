import type { EventSubscription, EventTransport, SourceService, StreamEvent } from '@canaduck/events';
import type { Logger } from '@canaduck/logging';
import type { MessageClient } from '../clients/message-client';

/**
 * Subscribes the router to the event streams, from their heads: the door delivers what happens
 * while it runs; clients fetch what they missed with CHATHISTORY. Adding the channel or user
 * stream is adding its name to `services` (the router already knows their event types).
 */
export class StreamConsumer {
  private readonly subs: EventSubscription[] = [];

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

  async start(): Promise<void> {
    for (const service of this.o.services) {
      const after = await this.o.head(service).catch((err: Error) => {
        this.o.logger.warn({ service, err: err.message }, 'stream head unknown: reading from the start');
        return 0;
      });
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
  }

  async stop(): Promise<void> {
    await Promise.all(this.subs.map((s) => s.stop()));
    await this.o.transport.close();
  }
}

/** The head of message-service's feed, paged through (the feed has no head route of its own). */
export async function messageFeedHead(messages: MessageClient): Promise<number> {
  let cursor = 0;
  for (;;) {
    const r = await messages.events(cursor, 5000);
    if (r.status !== 200) throw new Error(`message feed answered ${r.status}`);
    cursor = Math.max(cursor, r.data.last_seq);
    if (r.data.events.length < 5000) return cursor;
  }
}
