import type { Logger } from '@canaduck/logging';
import type { MessageClient } from '../clients/message-client';
import type { Settings } from '../config';
import type { ChannelVisibilityService } from '../domain/channel-visibility-service';
import type { FeedApplier } from '../domain/feed-applier';
import type { StatsStateRepository } from '../repositories/stats-state-repository';

export interface EventPollerDeps {
  messages: MessageClient;
  state: StatsStateRepository;
  applier: FeedApplier;
  visibility: ChannelVisibilityService;
  logger: Logger;
  settings: Pick<Settings, 'pollMs' | 'batchSize'>;
  now: () => number;
}

type LinkState = 'starting' | 'ok' | 'unavailable';

/** What /ready reports about the feeds (stats stay ready without them). */
export interface FeedStatus {
  feed: LinkState;
  channels: LinkState;
  last_poll_at: string | null;
  /** The latest failure of each link, cleared when it answers again. */
  feed_error: string | null;
  channels_error: string | null;
}

/**
 * The stats-service's background worker, started and stopped by main.ts: polls message-service's
 * feed and keeps the channel visibility table fresh. One cycle at a time; full pages are followed
 * at once (catch-up), otherwise it waits pollMs. A failing dependency is logged and retried, never
 * fatal.
 */
export class EventPoller {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private readonly state: FeedStatus = {
    feed: 'starting',
    channels: 'starting',
    last_poll_at: null,
    feed_error: null,
    channels_error: null,
  };

  constructor(private readonly deps: EventPollerDeps) {}

  status(): FeedStatus {
    return { ...this.state };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops polling and waits for the cycle in flight (its transaction) to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.cycle().then((more) => {
        this.running = undefined;
        this.schedule(more ? 0 : this.deps.settings.pollMs);
      });
    }, ms);
  }

  /** One poll; resolves true when a full page came back (more events are waiting). */
  async cycle(): Promise<boolean> {
    let more = false;
    try {
      more = await this.pollOnce();
    } catch (err) {
      this.fail('feed', err);
    }
    try {
      await this.deps.visibility.refresh(this.deps.now());
      this.state.channels = 'ok';
      this.state.channels_error = null;
    } catch (err) {
      this.fail('channels', err);
    }
    return more;
  }

  /** Reads and applies one page of the feed. */
  async pollOnce(): Promise<boolean> {
    const { batchSize } = this.deps.settings;
    const { lastSeq } = await this.deps.state.read();
    const page = await this.deps.messages.events(lastSeq, batchSize);
    this.state.feed = 'ok';
    this.state.feed_error = null;
    this.state.last_poll_at = new Date(this.deps.now()).toISOString();
    if (page.events.length === 0) return false;
    const result = await this.deps.applier.apply(page.events);
    this.deps.logger.debug({ ...result }, 'feed page applied');
    return page.events.length >= batchSize && result.lastSeq > lastSeq;
  }

  private fail(link: 'feed' | 'channels', err: unknown): void {
    const message = (err as Error).message ?? String(err);
    // Warn on the transition only: a dependency that stays down must not flood the logs.
    if (this.state[link] !== 'unavailable') {
      this.deps.logger.warn(
        { err: message },
        `${link === 'feed' ? 'event feed' : 'channel visibility'} unavailable: serving the last known aggregates`,
      );
    }
    this.state[link] = 'unavailable';
    this.state[link === 'feed' ? 'feed_error' : 'channels_error'] = message;
  }
}
