import type { EventLogger, EventSubscription, EventTransport, SourceService, StreamEvent, SubscribeOptions } from './types';

export interface CursorFollowerOptions {
  /** The stream's transport (HTTP feed or NATS). */
  transport: EventTransport;
  /** Whose stream is followed. */
  service: SourceService;
  /** The seq of the last event applied, as stored beside its effects; read at each start. */
  storedCursor: () => Promise<number>;
  /**
   * Applies a batch and the cursor after it in ONE transaction, skipping events at or below the
   * stored cursor (a replay, a redelivery, another replica that got there first): so each event
   * is applied once across restarts and replicas. A throw brings the same events again.
   */
  handle: (events: StreamEvent[]) => Promise<unknown>;
  /** Logged as an error when the stream pruned events before this follower applied them. */
  resyncMessage: string;
  logger: EventLogger;
  /** After every successful contact with the stream (see SubscribeOptions.onSync). */
  onSync?: SubscribeOptions['onSync'];
  /** Events per batch (the transport's default when unset). */
  batchSize?: number;
}

/**
 * A background worker that follows one service's stream from a cursor kept in the follower's
 * own database (not on the stream's side), so it resumes where it stopped after a restart. A
 * stream that cannot be reached is retried by the transport with backoff, never fatal.
 */
export class CursorFollower {
  private subscription: EventSubscription | undefined;
  private starting: Promise<void> | undefined;

  constructor(private readonly o: CursorFollowerOptions) {}

  /** Reads the stored cursor and subscribes after it (once, however often it is called). */
  start(): Promise<void> {
    this.starting ??= (async () => {
      const after = await this.o.storedCursor();
      this.subscription = this.o.transport.subscribe({
        service: this.o.service,
        after,
        batchSize: this.o.batchSize,
        handler: async (events) => {
          await this.o.handle(events);
        },
        onResync: (info) => {
          // Delivery goes on from the first event kept: what was pruned is lost to this follower.
          this.o.logger.error({ ...info, after }, this.o.resyncMessage);
        },
        onSync: this.o.onSync,
      });
    })();
    return this.starting;
  }

  /** Stops following; waits for the batch in flight (its transaction) to finish. */
  async stop(): Promise<void> {
    const starting = this.starting;
    this.starting = undefined;
    await starting?.catch(() => undefined);
    await this.subscription?.stop();
    this.subscription = undefined;
  }
}
