import { CursorFollower, type EventTransport, type StreamEvent } from '@canaduck/events';
import type { Logger } from '@canaduck/logging';
import type { Settings } from '../config';
import type { ChannelVisibilityService } from '../domain/channel-visibility-service';
import type { FeedApplier } from '../domain/feed-applier';
import type { StatsStateRepository } from '../repositories/stats-state-repository';

export interface EventFollowerDeps {
  /** message-service's stream: its HTTP feed, or NATS JetStream when NATS_URL is set. */
  transport: EventTransport;
  state: StatsStateRepository;
  applier: FeedApplier;
  visibility: ChannelVisibilityService;
  logger: Logger;
  settings: Pick<Settings, 'pollMs' | 'batchSize' | 'feedStaleMs'>;
  now: () => number;
}

type LinkState = 'starting' | 'ok' | 'unavailable';

/** What /ready reports about the feeds (stats stay ready without them). */
export interface FeedStatus {
  feed: LinkState;
  channels: LinkState;
  last_poll_at: string | null;
  /** Why a link is unavailable, cleared when it answers again. */
  feed_error: string | null;
  channels_error: string | null;
}

/**
 * The stats-service's background worker, started and stopped by main.ts. It subscribes to
 * message-service's stream from the stored cursor (stats_state.last_seq) through the transport,
 * and applies each batch with its cursor in one transaction (FeedApplier): a replay, a second
 * replica or a redelivery changes nothing. Channel visibility is refreshed after each batch and
 * every pollMs. A failing dependency is retried by the transport, never fatal.
 */
export class EventFollower {
  private readonly follower: CursorFollower;
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private starting: Promise<void> | undefined;
  private lastSync: number | undefined;
  private syncWaiters: Array<{ left: number; resolve: () => void }> = [];
  private readonly link: Pick<FeedStatus, 'channels' | 'channels_error'> = { channels: 'starting', channels_error: null };
  /** Events this replica applied itself (tests: two replicas together apply each event once). */
  applied = 0;

  constructor(private readonly deps: EventFollowerDeps) {
    this.follower = new CursorFollower({
      transport: deps.transport,
      service: 'message',
      storedCursor: async () => (await deps.state.read()).lastSeq,
      handle: (events) => this.apply(events),
      // The stream pruned events stats never applied: the counts miss them from now on.
      resyncMessage: 'message events beyond retention were never applied: statistics miss them',
      logger: deps.logger,
      onSync: ({ caughtUp }) => this.synced(caughtUp),
      batchSize: deps.settings.batchSize,
    });
  }

  status(): FeedStatus {
    const stale = this.lastSync !== undefined && this.deps.now() - this.lastSync > this.deps.settings.feedStaleMs;
    return {
      feed: this.lastSync === undefined ? 'starting' : stale ? 'unavailable' : 'ok',
      channels: this.link.channels,
      last_poll_at: this.lastSync === undefined ? null : new Date(this.lastSync).toISOString(),
      feed_error: stale ? 'the message stream has not answered lately' : null,
      channels_error: this.link.channels_error,
    };
  }

  /** Follows the stream from the stored cursor and starts the visibility refresh loop (once). */
  start(): Promise<void> {
    this.starting ??= this.follower.start().then(() => this.scheduleRefresh(0));
    return this.starting;
  }

  /** Stops the subscription (waits for the batch in flight, its transaction) and the refresh timer. */
  async stop(): Promise<void> {
    const starting = this.starting;
    this.starting = undefined;
    await starting;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.follower.stop();
    await this.refreshing;
  }

  /**
   * Resolves true once the stream answered "nothing more" twice after this call (so every event
   * present at the call is applied) and visibility was refreshed; false after timeoutMs.
   */
  async caughtUp(timeoutMs = 10_000): Promise<boolean> {
    await this.start();
    const ok = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.syncWaiters.push({ left: 2, resolve: () => (clearTimeout(timer), resolve(true)) });
    });
    await this.refresh();
    return ok;
  }

  private async apply(events: StreamEvent[]): Promise<void> {
    const result = await this.deps.applier.apply(events);
    this.applied += result.applied + result.skipped;
    this.deps.logger.debug({ ...result }, 'message events applied');
    // New channel names are checked at once, without holding the stream back.
    void this.refresh();
  }

  private synced(caughtUp: boolean): void {
    this.lastSync = this.deps.now();
    if (!caughtUp) return;
    for (const w of this.syncWaiters) w.left -= 1;
    const done = this.syncWaiters.filter((w) => w.left <= 0);
    this.syncWaiters = this.syncWaiters.filter((w) => w.left > 0);
    done.forEach((w) => w.resolve());
  }

  private scheduleRefresh(ms: number): void {
    if (!this.starting) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh().then(() => this.scheduleRefresh(this.deps.settings.pollMs));
    }, ms);
  }

  /** One visibility refresh at a time; a failure is logged once per outage and retried. */
  private refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        await this.deps.visibility.refresh(this.deps.now());
        this.link.channels = 'ok';
        this.link.channels_error = null;
      } catch (err) {
        const message = (err as Error).message ?? String(err);
        if (this.link.channels !== 'unavailable') {
          this.deps.logger.warn({ err: message }, 'channel visibility unavailable: serving the last known aggregates');
        }
        this.link.channels = 'unavailable';
        this.link.channels_error = message;
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }
}
