import { DeliverPolicy, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { durableAckFloor } from './durable-consumer';
import { HOLD_BACK_MS, oneEachInSeqOrder, orderBatch, type BatchOrderContext } from './jetstream-batch-order';
import { NatsGaps } from './nats-gaps';
import type { Link } from './nats-link';
import { sleepUnlessAborted, type BatchSource } from './subscription-loop';
import type { ResyncInfo, StreamEvent, SubscribeOptions } from './types';

type Fetched = { events: StreamEvent[]; caughtUp: boolean } | { resync: ResyncInfo };

/**
 * Messages arrive through consume() into a queue bounded by the batch size (the consumer pulls
 * no further ahead), and fetch() hands over what is queued once at least one is there. Stream seq
 * == event seq, so a message further than the seq after the last one handed over means missing
 * seqs: their scrubbed copies go out in their place, and seqs pruned by max_age answer a resync
 * (NatsGaps). The same check runs when the consumer starts, against the stream's first seq.
 * Putting a batch in order (and holding it back for a redelivery) is jetstream-batch-order.ts.
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
    const taken = oneEachInSeqOrder(this.queue.splice(0, this.s.batchSize ?? 500), !!this.s.durableName);
    const batch = await orderBatch(this.orderContext(l), this.fill.splice(0), this.position, taken);
    this.queue.unshift(...batch.putBack);
    if ('lost' in batch) {
      // Durable: give back what is held so the server redelivers it after the resync.
      if (this.s.durableName) await this.nakHeld(l);
      await this.restart();
      return { resync: { service: this.s.service, firstAvailable: batch.lost + 1 } };
    }
    this.position = batch.position;
    if (batch.events.length === 0) {
      // Held back until an earlier seq's redelivery arrives: wait a little rather than spin.
      await sleepUnlessAborted(HOLD_BACK_MS, signal);
      return { events: [], caughtUp: false };
    }
    if (this.s.durableName) this.pendingAcks = batch.msgs;
    this.startedAt = batch.events[batch.events.length - 1].seq;
    return { events: batch.events, caughtUp: this.startedAt >= this.lastAtStart && this.queue.length === 0 };
  }

  private orderContext(l: Link): BatchOrderContext {
    return { gaps: this.gaps, jsm: l.jsm, service: this.s.service, durable: !!this.s.durableName };
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
    const base = this.s.durableName
      ? Math.max(this.resyncedTo, await durableAckFloor(l.jsm, this.stream, this.s.durableName, after, batch))
      : after;
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
