import type { EventSubscription, EventTransport, StreamEvent } from '@canaduck/events';
import type { Logger } from '@canaduck/logging';

export interface ChannelAccessFollowerDeps {
  /** channel-service's stream: its HTTP feed, or NATS JetStream when NATS_URL is set. */
  transport: EventTransport;
  /** Drops the cached access answers of a channel, or all of them. */
  cache: { forgetChannel(channel: string): void; forgetAll(): void };
  logger: Logger;
}

/**
 * Follows channel-service's stream and drops a channel's cached access answers the moment an
 * event about it arrives (created, deleted, banned, kicked, parted, modes, invited, joined...),
 * so the next request asks channel-service again. The cache's TTL (ACCESS_CACHE_MS) is only the
 * backstop while the stream is down: then an answer may be reused that long, as before the stream
 * existed. The subscription starts at seq 0: replaying the retained history costs a few pages of
 * no-op deletions, and nothing about the cursor needs storing (the cache is empty at start).
 */
export class ChannelAccessFollower {
  private subscription: EventSubscription | undefined;
  private seq = 0;

  constructor(private readonly deps: ChannelAccessFollowerDeps) {}

  /** The last channel seq applied (tests wait for it). */
  get position(): number {
    return this.seq;
  }

  start(): void {
    if (this.subscription) return;
    this.subscription = this.deps.transport.subscribe({
      service: 'channel',
      after: this.seq,
      handler: async (events) => this.apply(events),
      onResync: (info) => {
        // Events were missed for good: no cached answer can be trusted any more.
        this.deps.logger.warn({ ...info }, 'channel stream beyond retention: every cached access answer dropped');
        this.deps.cache.forgetAll();
      },
    });
  }

  async stop(): Promise<void> {
    const s = this.subscription;
    this.subscription = undefined;
    await s?.stop();
  }

  apply(events: StreamEvent[]): void {
    for (const e of events) {
      const channel = (e.data as { channel?: unknown } | null)?.channel;
      if (typeof channel === 'string') this.deps.cache.forgetChannel(channel);
      else if (e.type.startsWith('channel.')) this.deps.cache.forgetAll();
      this.seq = e.seq;
    }
  }
}
