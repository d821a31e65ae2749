import type { Logger } from '@canaduck/logging';
import type { MessageClient } from '../clients/message-client';
import type { FeedEvent } from '../clients/types';

/**
 * Reads message-service's event feed (GET /internal/events) and hands each batch to the router,
 * starting from the feed's head: the door delivers what happens while it runs, and clients fetch
 * older messages with CHATHISTORY. Shaped like @canaduck/events' subscribe() so that moving to
 * its EventTransport only swaps this reader.
 */
export class MessageFeed {
  private cursor = 0;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private running?: Promise<void>;

  constructor(
    private readonly o: {
      messages: MessageClient;
      handler: (events: FeedEvent[]) => Promise<void>;
      logger: Logger;
      pollMs: number;
      batch?: number;
    },
  ) {}

  async start(): Promise<void> {
    await this.skipToHead();
    this.schedule(0);
  }

  private async skipToHead(): Promise<void> {
    for (;;) {
      const r = await this.o.messages.events(this.cursor, 5000).catch(() => undefined);
      if (!r || r.status !== 200) return;
      this.cursor = r.data.last_seq;
      if (r.data.events.length < 5000) return;
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.poll().finally(() => (this.running = undefined));
    }, ms);
  }

  private async poll(): Promise<void> {
    const limit = this.o.batch ?? 500;
    let full = false;
    try {
      const r = await this.o.messages.events(this.cursor, limit);
      if (r.status === 200) {
        if (r.data.events.length) await this.o.handler(r.data.events);
        this.cursor = r.data.last_seq;
        full = r.data.events.length >= limit;
      } else this.o.logger.warn({ status: r.status }, 'message feed refused');
    } catch (err) {
      this.o.logger.warn({ err: (err as Error).message }, 'message feed unreachable');
    }
    this.schedule(full ? 0 : this.o.pollMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
