import type { connect } from '@nats-io/transport-node';
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiError,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { NatsGaps } from './nats-gaps';
import { msToNanos } from './nats-names';
import type { BatchSource } from './subscription-loop';
import type { ResyncInfo, StreamEvent, SubscribeOptions } from './types';

type NatsConnection = Awaited<ReturnType<typeof connect>>;

export interface Link {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** Counts reconnections: a restarted server has forgotten the ordered consumers made before. */
  reconnects: number;
}

type Fetched = { events: StreamEvent[]; caughtUp: boolean } | { resync: ResyncInfo };

const CONSUMER_NOT_FOUND = 10014;
/** How long a batch held back for an earlier seq's redelivery waits before looking again. */
const HOLD_BACK_MS = 50;

/**
 * Messages arrive through consume() into a queue bounded by the batch size (the consumer pulls
 * no further ahead), and fetch() hands over what is queued once at least one is there. Stream seq
 * == event seq, so a message further than the seq after the last one handed over means missing
 * seqs: their scrubbed copies go out in their place, and seqs pruned by max_age answer a resync
 * (NatsGaps). The same check runs when the consumer starts, against the stream's first seq.
 */
export class JetStreamSource implements BatchSource {
  private messages: ConsumerMessages | undefined;
  private queue: JsMsg[] = [];
  /** Scrubbed copies of the seqs between the start and the stream's first message (they go out first). */
  private fill: StreamEvent[] = [];
  private wake: (() => void) | undefined;
  private startedAt: number | undefined;
  /** The stream seq of the last event handed over (or where the consumer started). */
  private position = 0;
  private lastAtStart = 0;
  /** Durable: where a resync moved the cursor (the server's ack floor may still be behind it). */
  private resyncedTo = 0;
  /** The link's reconnect count when the consumer was made. */
  private madeAt = -1;
  private pendingAcks: JsMsg[] = [];
  private readonly gaps: NatsGaps;

  constructor(
    private readonly s: SubscribeOptions,
    private readonly getLink: () => Promise<Link>,
    private readonly stream: string,
    namespace: string | undefined,
    private readonly idleMs: number,
  ) {
    this.gaps = new NatsGaps(s.service, namespace);
  }

  async fetch(after: number, signal: AbortSignal): Promise<Fetched> {
    const l = await this.getLink();
    const resync = this.startedAt !== after || !this.messages || this.madeAt !== l.reconnects ? await this.begin(l, after) : undefined;
    if (resync) return { resync };
    const nothing = () => this.queue.length === 0 && this.fill.length === 0;
    if (nothing()) await this.waitForMessages(signal);
    if (nothing() && this.madeAt !== l.reconnects) {
      // Reconnected while waiting: the server may have lost the consumer (a restart). Make it again.
      await this.restart();
      return { events: [], caughtUp: false };
    }
    if (nothing()) {
      // Nothing new: make sure the server still answers before calling this "in sync".
      await withTimeout(l.nc.flush(), 2000, 'NATS server does not answer');
      return { events: [], caughtUp: true };
    }
    const taken = this.queue.splice(0, this.s.batchSize ?? 500).filter((m, i, all) => {
      // A redelivered copy of a message already in this batch: ack it and keep one.
      const copy = all.findIndex((x) => x.seq === m.seq) !== i;
      if (copy && this.s.durableName) m.ack();
      return !copy;
    });
    // Redeliveries (nak'd after a failed handler) may come back behind newer messages.
    taken.sort((a, b) => a.seq - b.seq);
    const batch = await this.inOrder(l, taken);
    if ('lost' in batch) {
      // Durable: give back what is held so the server redelivers it after the resync.
      if (this.s.durableName) await this.nakHeld(l);
      await this.restart();
      return { resync: { service: this.s.service, firstAvailable: batch.lost + 1 } };
    }
    if (batch.events.length === 0) {
      // Held back until an earlier seq's redelivery arrives: wait a little rather than spin.
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, HOLD_BACK_MS);
        signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
      });
      return { events: [], caughtUp: false };
    }
    if (this.s.durableName) this.pendingAcks = batch.msgs;
    this.startedAt = batch.events[batch.events.length - 1].seq;
    return { events: batch.events, caughtUp: this.startedAt >= this.lastAtStart && this.queue.length === 0 };
  }

  /**
   * The batch in seq order, missing seqs filled with their scrubbed copies. A loss stops the batch
   * there: what comes before it goes out now, the rest goes back to the queue, and the fetch that
   * meets the loss first answers the resync.
   */
  private async inOrder(l: Link, taken: JsMsg[]): Promise<{ events: StreamEvent[]; msgs: JsMsg[] } | { lost: number }> {
    const events = this.fill.splice(0);
    const msgs: JsMsg[] = [];
    let position = this.position;
    for (let i = 0; i < taken.length; i++) {
      const m = taken[i];
      if (m.seq > position + 1) {
        const gap = await this.gaps.resolve(l.jsm, position + 1, m.seq - 1);
        if (gap.lost !== undefined) {
          this.queue.unshift(...taken.slice(i));
          if (events.length === 0) return { lost: gap.lost };
          break;
        }
        if (gap.pending !== undefined && this.s.durableName) {
          // An earlier seq is still stored and will be redelivered: the rest waits for it, in order.
          this.queue.unshift(...taken.slice(i));
          break;
        }
        events.push(...gap.events);
      }
      events.push({ ...m.json<StreamEvent>(), seq: m.seq, service: this.s.service });
      msgs.push(m);
      position = Math.max(position, m.seq);
    }
    this.position = position;
    return { events, msgs };
  }

  async done(): Promise<void> {
    const acks = this.pendingAcks.splice(0);
    for (const m of acks) m.ack();
    if (acks.length > 0) await (await this.getLink()).nc.flush();
  }

  /**
   * The handler failed. Durable: nak everything held, in seq order, on the same consumer (the
   * server redelivers nak'd messages first, in that order; closing the consumer instead could
   * leave a pull in flight whose messages wait for ack_wait). Ordered: start again at the cursor.
   */
  async failed(events: StreamEvent[]): Promise<void> {
    if (!this.s.durableName) return this.restart();
    await this.nakHeld(await this.getLink());
    this.startedAt = events[0].seq - 1;
    this.position = events[0].seq - 1;
  }

  /** After a resync: the reader accepted the jump to `after`. */
  async reset(after: number): Promise<void> {
    this.resyncedTo = after;
    await this.restart();
  }

  close = () => this.restart();

  private async nakHeld(l: Link): Promise<void> {
    const back = [...this.pendingAcks, ...this.queue];
    this.pendingAcks = [];
    this.queue = [];
    this.fill = [];
    for (const m of back) m.nak();
    await l.nc.flush();
  }

  private async restart(): Promise<void> {
    const m = this.messages;
    this.messages = undefined;
    this.startedAt = undefined;
    this.queue = [];
    this.fill = [];
    await m?.close().catch(() => undefined);
  }

  /**
   * (Re)creates the consumer. An ordered one starts at after + 1; a durable one goes on after its
   * ack floor on the server (`after` only says where a new one starts). When the stream no longer
   * holds what follows that point, the missing seqs are either scrubbed (their copies go out
   * first) or pruned: then the answer is a resync, before anything is delivered.
   */
  private async begin(l: Link, after: number): Promise<ResyncInfo | undefined> {
    await this.restart();
    this.madeAt = l.reconnects;
    const { first_seq, last_seq, messages } = (await l.jsm.streams.info(this.stream)).state;
    this.lastAtStart = last_seq;
    const firstAvailable = messages > 0 ? first_seq : last_seq + 1;
    const batch = this.s.batchSize ?? 500;
    const base = this.s.durableName ? Math.max(this.resyncedTo, await this.durableFloor(l, after, batch)) : after;
    this.position = base;
    if (base + 1 < firstAvailable && last_seq > base) {
      const gap = await this.gaps.resolve(l.jsm, base + 1, firstAvailable - 1);
      if (gap.lost !== undefined) return { service: this.s.service, firstAvailable: gap.lost + 1 };
      this.fill = gap.events;
      this.position = firstAvailable - 1;
    }
    const consumer = this.s.durableName
      ? await l.js.consumers.get(this.stream, this.s.durableName)
      : await l.js.consumers.get(this.stream, { opt_start_seq: after + 1, deliver_policy: DeliverPolicy.StartSequence });
    this.messages = await consumer.consume({
      max_messages: batch,
      callback: (m) => {
        this.queue.push(m);
        this.wake?.();
      },
    });
    this.startedAt = after;
    return undefined;
  }

  /**
   * The seq the durable consumer has acked through (it is created at after + 1 when missing).
   * The server moves a consumer past pruned messages without a word once it pulls again, so the
   * floor is read before consuming.
   */
  private async durableFloor(l: Link, after: number, batch: number): Promise<number> {
    const name = this.s.durableName!;
    try {
      const info = await l.jsm.consumers.info(this.stream, name);
      // Nothing acked yet: the floor is just before where the consumer was made to start.
      return info.ack_floor.consumer_seq > 0 ? info.ack_floor.stream_seq : Math.max(0, (info.config.opt_start_seq ?? 1) - 1);
    } catch (err) {
      if (!(err instanceof JetStreamApiError) || err.code !== CONSUMER_NOT_FOUND) throw err;
      await l.jsm.consumers.add(this.stream, {
        durable_name: name,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: after + 1,
        ack_wait: msToNanos(30_000),
        // No more in flight than one batch: a redelivery can never overtake newer events.
        max_ack_pending: batch,
      });
      return after;
    }
  }

  private waitForMessages(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, this.idleMs);
      this.wake = done;
      signal.addEventListener('abort', done);
    });
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
