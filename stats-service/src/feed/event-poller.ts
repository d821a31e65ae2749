import type { Knex } from '@canaduck/db';
import type { Logger } from '@canaduck/logging';
import { MAX_NAMES, type ChannelClient } from '../clients/channel-client';
import type { MessageClient } from '../clients/message-client';
import { ChannelRepository, type StoredChannel } from '../repositories/channel-repository';
import { applyEvents } from './event-applier';

export interface PollerOptions {
  knex: Knex;
  logger: Logger;
  messages: MessageClient;
  channels: ChannelClient;
  /** Wait between polls once caught up (STATS_POLL_MS). */
  pollMs: number;
  /** Events asked per page (STATS_BATCH_SIZE); a full page means "more to catch up". */
  batchSize: number;
  /** How often every known channel's visibility is asked again (STATS_CHANNEL_REFRESH_MS). */
  channelRefreshMs: number;
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
 * Polls message-service's feed and keeps the channel visibility table fresh.
 * One cycle at a time; full pages are followed at once (catch-up), otherwise it
 * waits pollMs. A failing dependency is logged and retried, never fatal.
 */
export class EventPoller {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private lastFullRefresh = 0;
  private readonly repo: ChannelRepository;
  private readonly state: FeedStatus = {
    feed: 'starting',
    channels: 'starting',
    last_poll_at: null,
    feed_error: null,
    channels_error: null,
  };

  constructor(private readonly o: PollerOptions) {
    this.repo = new ChannelRepository(o.knex);
  }

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
        this.schedule(more ? 0 : this.o.pollMs);
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
      await this.refreshChannels();
    } catch (err) {
      this.fail('channels', err);
    }
    return more;
  }

  /** Reads and applies one page of the feed. */
  async pollOnce(): Promise<boolean> {
    const row = (await this.o.knex('stats_state').where({ id: 1 }).first('last_seq')) as { last_seq: unknown };
    const page = await this.o.messages.events(Number(row.last_seq), this.o.batchSize);
    this.state.feed = 'ok';
    this.state.feed_error = null;
    this.state.last_poll_at = new Date().toISOString();
    if (page.events.length === 0) return false;
    const result = await applyEvents(this.o.knex, page.events, this.o.logger);
    this.o.logger.debug({ ...result }, 'feed page applied');
    return page.events.length >= this.o.batchSize && result.lastSeq > Number(row.last_seq);
  }

  /** New names at once; every known name each channelRefreshMs. */
  async refreshChannels(now = Date.now()): Promise<void> {
    const full = now - this.lastFullRefresh >= this.o.channelRefreshMs;
    const rows = full ? await this.repo.all() : await this.repo.pending();
    if (rows.length > 0) await this.ask(rows, now);
    this.state.channels = 'ok';
    this.state.channels_error = null;
    if (full) this.lastFullRefresh = now;
  }

  private async ask(rows: StoredChannel[], now: number): Promise<void> {
    for (let i = 0; i < rows.length; i += MAX_NAMES) {
      const part = rows.slice(i, i + MAX_NAMES);
      const answer = await this.o.channels.visibility(part.map((r) => r.name));
      const changed = await this.repo.record(part, answer, now);
      if (changed > 0) this.o.logger.info({ changed }, 'channel visibility updated');
    }
  }

  private fail(link: 'feed' | 'channels', err: unknown): void {
    const message = (err as Error).message ?? String(err);
    // Warn on the transition only: a dependency that stays down must not flood the logs.
    if (this.state[link] !== 'unavailable') {
      this.o.logger.warn(
        { err: message },
        `${link === 'feed' ? 'event feed' : 'channel visibility'} unavailable: serving the last known aggregates`,
      );
    }
    this.state[link] = 'unavailable';
    this.state[link === 'feed' ? 'feed_error' : 'channels_error'] = message;
  }
}
