import { connect } from '@nats-io/transport-node';

type NatsConnection = Awaited<ReturnType<typeof connect>>;
import { jetstream, jetstreamManager, JetStreamApiError, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { EventStore } from './event-store';
import { msToNanos, natsMsgId, natsScrubStreamName, natsScrubSubject, natsStreamName, natsSubjectPrefix } from './nats-names';
import type { EventLogger, SourceService, StreamEvent } from './types';

export interface NatsRelayOptions {
  url: string;
  service: SourceService;
  namespace?: string;
  retentionMs: number;
  /** How long JetStream remembers a Nats-Msg-Id (default 2 minutes). */
  duplicateWindowMs?: number;
  store: EventStore;
  logger: EventLogger;
  batchSize?: number;
}

const WRONG_LAST_SEQUENCE = 10071;
const STREAM_NOT_FOUND = 10059;
const MESSAGE_DELETE_FAILED = 10043;

/**
 * Publishes the sequenced events to the service's JetStream stream in seq order, with
 * `Nats-Msg-Id: <service>:<seq>` (a republish after a crash is a duplicate the server drops) and
 * the expected last stream sequence seq - 1, so that stream seq == event seq. The cursor
 * (relayed_through) lives in the database, next to the events.
 *
 * Scrubs (Outbox.scrub, e.g. a deleted message's text) reach JetStream after their commit: the
 * relay drains `outbox_scrubs`, puts the scrubbed copy of each event in the scrub stream (one
 * subject per seq), then erases the original from the events stream. A consumer that finds a seq
 * missing takes the scrubbed copy in its place (nats-gaps.ts), so it still sees every seq once.
 */
export class NatsRelay {
  private nc: NatsConnection | undefined;
  private js: JetStreamClient | undefined;
  private jsm: JetStreamManager | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  /** Publishes the server answered as duplicates (a restart republishing what it had sent). */
  duplicates = 0;
  published = 0;
  /** Events whose JetStream copy was replaced by its scrubbed copy. */
  scrubbed = 0;
  readonly stream: string;
  readonly scrubStream: string;
  readonly subjects: string;

  constructor(private readonly o: NatsRelayOptions) {
    this.stream = natsStreamName(o.service, o.namespace);
    this.subjects = natsSubjectPrefix(o.service, o.namespace);
    this.scrubStream = natsScrubStreamName(o.service, o.namespace);
  }

  /** Connects and creates or updates the stream; relay() calls it again while it fails (NATS down at start). */
  async start(): Promise<void> {
    if (this.js) return;
    const nc = await connect({ servers: this.o.url, name: `${this.o.service}-relay`, maxReconnectAttempts: -1 });
    try {
      this.jsm = await jetstreamManager(nc);
      this.nc = nc;
      await this.ensureStream();
      this.js = jetstream(nc);
    } catch (err) {
      this.nc = undefined;
      await nc.close().catch(() => undefined);
      throw err;
    }
  }

  async stop(): Promise<void> {
    await this.running;
    await this.nc?.drain().catch(() => undefined);
    this.nc = undefined;
    this.js = undefined;
  }

  private async ensureStream(): Promise<void> {
    const max_age = msToNanos(this.o.retentionMs);
    const duplicate_window = msToNanos(Math.min(this.o.duplicateWindowMs ?? 120_000, this.o.retentionMs));
    await this.ensure(this.stream, { subjects: [`${this.subjects}.>`], max_age, duplicate_window });
    await this.ensure(this.scrubStream, {
      subjects: [natsScrubSubject(this.o.service, '*', this.o.namespace)],
      max_age,
      duplicate_window,
      // One copy per seq: scrubbing an event again replaces its copy.
      max_msgs_per_subject: 1,
    });
  }

  private async ensure(
    name: string,
    config: { subjects: string[]; max_age: number; duplicate_window: number; max_msgs_per_subject?: number },
  ) {
    const jsm = this.jsm!;
    try {
      await jsm.streams.info(name);
      await jsm.streams.update(name, config);
    } catch (err) {
      if (!(err instanceof JetStreamApiError) || err.code !== STREAM_NOT_FOUND) throw err;
      await jsm.streams.add({ name, ...config });
    }
  }

  /** Publishes what is not yet relayed (coalesced with a run in flight). */
  relay(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        await this.start();
        do {
          this.again = false;
          while (this.js && (await this.relayBatch())) {
            /* full batch: go on */
          }
          while (this.js && (await this.scrubBatch())) {
            /* full batch: go on */
          }
        } while (this.again);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** One batch; true when it was full. */
  private async relayBatch(): Promise<boolean> {
    const js = this.js!;
    const limit = this.o.batchSize ?? 500;
    let cursor = (await this.o.store.meta()).relayedThrough;
    const events = await this.o.store.after(cursor, limit);
    try {
      for (const e of events) {
        const ack = await js.publish(`${this.subjects}.${e.type}`, JSON.stringify(e), {
          msgID: natsMsgId(this.o.service, e.seq),
          expect: { lastSequence: e.seq - 1 },
        });
        if (ack.duplicate) this.duplicates++;
        else this.published++;
        cursor = e.seq;
      }
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === WRONG_LAST_SEQUENCE) {
        await this.o.store.setRelayedThrough(cursor);
        await this.realign(cursor);
        return true;
      }
      await this.o.store.setRelayedThrough(cursor);
      throw err;
    }
    if (events.length > 0) await this.o.store.setRelayedThrough(cursor);
    return events.length === limit;
  }

  /**
   * Replaces the JetStream copies of scrubbed events, oldest scrub first; true when a full batch
   * was done. An event not yet relayed waits (its turn comes after the relay passed it); one
   * without a seq will only ever be published scrubbed, and a pruned one expires from JetStream
   * with the same retention.
   */
  private async scrubBatch(): Promise<boolean> {
    const limit = 100;
    const pending = await this.o.store.pendingScrubs(limit);
    if (pending.length === 0) return false;
    const { relayedThrough } = await this.o.store.meta();
    for (const p of pending) {
      const seq = p.event?.seq ?? null;
      if (seq !== null && seq > relayedThrough) return false;
      if (seq !== null) await this.replaceCopy({ ...p.event!, seq });
      await this.o.store.finishScrub(p.id);
    }
    return pending.length === limit;
  }

  /** The scrubbed copy is stored first, so a consumer never finds the seq missing without it. */
  private async replaceCopy(e: StreamEvent): Promise<void> {
    await this.js!.publish(natsScrubSubject(this.o.service, e.seq, this.o.namespace), JSON.stringify(e));
    try {
      // erase: the server overwrites the stored bytes, not only the index.
      await this.jsm!.streams.deleteMessage(this.stream, e.seq, true);
    } catch (err) {
      // Already gone (a repeated scrub, or max_age took it): nothing left to erase.
      if (!(err instanceof JetStreamApiError && err.code === MESSAGE_DELETE_FAILED && /not found/i.test(err.message))) throw err;
    }
    this.scrubbed++;
  }

  /**
   * The stream is not where the cursor says: ahead (its dedupe window forgot ids we are
   * republishing) -> skip to its end; behind and empty (a new or purged stream) -> refill it from
   * the oldest retained event, its next sequence set to that seq.
   */
  private async realign(cursor: number): Promise<void> {
    const info = await this.jsm!.streams.info(this.stream);
    const last = info.state.last_seq;
    if (last > cursor) {
      this.o.logger.warn({ stream: this.stream, cursor, last }, 'relay cursor behind the stream: skipping to its end');
      await this.o.store.setRelayedThrough(last);
    } else if (info.state.messages === 0) {
      const meta = await this.o.store.meta();
      // Republish everything still retained, with stream seq == event seq again.
      const next = meta.prunedThrough + 1;
      this.o.logger.warn({ stream: this.stream, next }, 'empty stream behind the relay cursor: refilling it from the oldest retained seq');
      await this.jsm!.streams.purge(this.stream, { seq: next });
      await this.o.store.setRelayedThrough(next - 1);
    } else {
      this.o.logger.error({ stream: this.stream, cursor, last }, 'stream lost events the relay had published');
      throw new Error(`stream ${this.stream} is at ${last}, behind the relay cursor ${cursor}`);
    }
  }
}
