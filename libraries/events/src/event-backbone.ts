import type { Knex } from '@canaduck/db';
import { GoneError } from '@canaduck/errors';
import { EventStore } from './event-store';
import { NatsRelay } from './nats-relay';
import { Sequencer } from './sequencer';
import type { EventLogger, FeedPage, SourceService } from './types';

export const DEFAULT_RETENTION_MS = 7 * 24 * 3600 * 1000;

export interface EventBackboneOptions {
  knex: Knex;
  service: SourceService;
  logger: EventLogger;
  /** How long events are kept (default 7 days); older cursors get 410 resync_required. */
  retentionMs?: number;
  /** NATS JetStream url: the leader relays the sequenced events to the service's stream. */
  natsUrl?: string;
  /** Prefix of stream and subject names (default `canaduck`); tests use their own. */
  natsNamespace?: string;
  now?: () => number;
  /** Leader's poll for other replicas' commits (default 25 ms). */
  pollMs?: number;
  /** Followers' attempts to become leader (default 500 ms). */
  electionMs?: number;
  /** A long-poll on a follower re-reads this often (the leader wakes its own readers at once). */
  readPollMs?: number;
  /** How often the leader prunes (default 60 s). */
  pruneEveryMs?: number;
  batchSize?: number;
}

/**
 * One per service process: sequences committed outbox events (one leader across replicas),
 * serves them to long-polling readers, prunes them after retention and relays them to NATS.
 */
export class EventBackbone {
  readonly store: EventStore;
  private readonly sequencer: Sequencer;
  private relay: NatsRelay | undefined;
  private readonly waiters = new Set<() => void>();
  private readonly now: () => number;
  private readonly retentionMs: number;
  private lastPrune = 0;
  private pruning: Promise<unknown> | undefined;
  /** When set, the relay is behind (start-up catch-up, or NATS failed) and runs at that time. */
  private relayRetryAt: number | undefined = 0;
  private started = false;

  constructor(private readonly o: EventBackboneOptions) {
    this.now = o.now ?? Date.now;
    this.retentionMs = o.retentionMs ?? DEFAULT_RETENTION_MS;
    this.store = new EventStore(o.knex, o.service);
    this.sequencer = new Sequencer({
      knex: o.knex,
      service: o.service,
      store: this.store,
      logger: o.logger,
      pollMs: o.pollMs ?? 25,
      electionMs: o.electionMs ?? 500,
      batchSize: o.batchSize ?? 1000,
      onPass: (head) => this.afterPass(head),
    });
  }

  get service(): SourceService {
    return this.o.service;
  }

  get isLeader(): boolean {
    return this.sequencer.isLeader;
  }

  /** The NATS relay, when natsUrl is set (tests read its counters). */
  get natsRelay(): NatsRelay | undefined {
    return this.relay;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    if (this.o.natsUrl) {
      this.relay = new NatsRelay({
        url: this.o.natsUrl,
        service: this.o.service,
        namespace: this.o.natsNamespace,
        retentionMs: this.retentionMs,
        store: this.store,
        logger: this.o.logger,
      });
      // NATS down at start must not stop the service: the relay retries each second from its cursor.
      await this.relay.start().catch((err: unknown) => this.o.logger.warn({ err: (err as Error).message }, 'NATS relay cannot start yet'));
    }
    this.sequencer.start();
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.sequencer.stop();
    await this.pruning;
    await this.relay?.stop();
    this.relay = undefined;
    this.wakeAll();
  }

  /** Call after a commit that appended events: they are sequenced now rather than at the next poll. */
  poke(): void {
    this.sequencer.poke();
  }

  async head(): Promise<number> {
    return this.store.head();
  }

  /**
   * Events with seq > after, waiting up to waitMs for some when there are none yet. Throws 410
   * resync_required when `after` is older than retention (events after it were pruned).
   */
  async read(after: number, opts: { limit: number; waitMs: number; signal?: AbortSignal }): Promise<FeedPage> {
    const deadline = this.now() + opts.waitMs;
    for (;;) {
      const events = await this.store.after(after, opts.limit);
      // Checked after reading: a prune that committed in between is seen here.
      const { prunedThrough } = await this.store.meta();
      if (after < prunedThrough) {
        throw new GoneError(`events after ${after} are older than retention: read again from ${prunedThrough}`, 'resync_required', {
          first_available: prunedThrough + 1,
        });
      }
      const left = deadline - this.now();
      if (events.length > 0 || left <= 0 || opts.signal?.aborted || !this.started) {
        return { events, last_seq: events.length > 0 ? events[events.length - 1].seq : after };
      }
      await this.waitForNews(this.isLeader ? left : Math.min(left, this.o.readPollMs ?? 100), opts.signal);
    }
  }

  private waitForNews(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
      signal?.addEventListener('abort', done);
    });
  }

  private wakeAll(): void {
    for (const wake of [...this.waiters]) wake();
  }

  /** Leader, after each sequencer pass: wake readers, relay, prune now and then. */
  private async afterPass(newHead: number): Promise<void> {
    if (newHead > 0) this.wakeAll();
    if (this.relay && (newHead > 0 || (this.relayRetryAt !== undefined && this.now() >= this.relayRetryAt))) {
      try {
        await this.relay.relay();
        this.relayRetryAt = undefined;
      } catch (err) {
        // NATS down must not stop sequencing: retry each second (the cursor is in the database).
        if (this.relayRetryAt === undefined) this.o.logger.warn({ err: (err as Error).message }, 'NATS relay failed');
        this.relayRetryAt = this.now() + 1000;
      }
    }
    if (this.now() - this.lastPrune > (this.o.pruneEveryMs ?? 60_000) && !this.pruning) {
      this.lastPrune = this.now();
      // Not awaited: a prune that waits behind a long transaction must not hold up sequencing.
      this.pruning = this.pruneNow()
        .catch((err: unknown) => this.o.logger.warn({ err: (err as Error).message }, 'event pruning failed'))
        .then(() => (this.pruning = undefined));
    }
  }

  /** Deletes events older than retention; returns the seq pruned through. */
  async pruneNow(): Promise<number> {
    const cutoff = this.now() - this.retentionMs;
    return this.o.knex.transaction((trx) => this.store.prune(trx, cutoff));
  }

  /** Tests: the MySQL connection id holding the sequencer lock. */
  leaderConnectionId(): Promise<number | undefined> {
    return this.sequencer.leaderConnectionId();
  }
}
