import { connect } from '@nats-io/transport-node';

type NatsConnection = Awaited<ReturnType<typeof connect>>;
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  JetStreamApiError,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { msToNanos, natsStreamName } from './nats-names';
import { runSubscription, type BatchSource } from './subscription-loop';
import type { EventLogger, EventSubscription, EventTransport, ResyncInfo, StreamEvent, SubscribeOptions } from './types';

export interface NatsTransportOptions {
  url: string;
  logger: EventLogger;
  /** Must match the relays' namespace (default `canaduck`). */
  namespace?: string;
  /** How long a fetch waits for events before reporting "in sync, nothing new" (default 1000 ms). */
  idleMs?: number;
}

interface Link {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** Counts reconnections: a restarted server has forgotten the ordered consumers made before. */
  reconnects: number;
}

/**
 * NATS JetStream: one stream per service (stream seq == event seq). Without durableName an
 * ordered consumer starts at after + 1 (the consumer keeps its own cursor); with durableName a
 * durable consumer keeps the cursor on the server and each event is acked after the handler.
 */
export function natsTransport(o: NatsTransportOptions): EventTransport {
  let link: Promise<Link> | undefined;
  const subscriptions = new Set<EventSubscription>();
  const getLink = () => {
    link ??= (async () => {
      const nc = await connect({ servers: o.url, name: 'canaduck-events-consumer', maxReconnectAttempts: -1 });
      const l: Link = { nc, js: jetstream(nc), jsm: await jetstreamManager(nc), reconnects: 0 };
      void (async () => {
        for await (const status of nc.status()) if (status.type === 'reconnect') l.reconnects++;
      })().catch(() => undefined);
      return l;
    })();
    link.catch(() => (link = undefined));
    return link;
  };
  return {
    kind: 'nats',
    subscribe(s) {
      const source = new JetStreamSource(s, getLink, natsStreamName(s.service, o.namespace), o.idleMs ?? 1000);
      const sub = runSubscription(s, source, o.logger);
      subscriptions.add(sub);
      return {
        async stop() {
          subscriptions.delete(sub);
          await sub.stop();
        },
      };
    },
    async close() {
      await Promise.all([...subscriptions].map((sub) => sub.stop()));
      subscriptions.clear();
      const l = await link?.catch(() => undefined);
      link = undefined;
      await l?.nc.drain().catch(() => undefined);
    },
  };
}

/**
 * Messages arrive through consume() into a queue bounded by the batch size (the consumer pulls
 * no further ahead), and fetch() hands over what is queued once at least one is there.
 */
class JetStreamSource implements BatchSource {
  private messages: ConsumerMessages | undefined;
  private queue: JsMsg[] = [];
  private wake: (() => void) | undefined;
  private startedAt: number | undefined;
  private lastAtStart = 0;
  /** The link's reconnect count when the consumer was made. */
  private madeAt = -1;

  constructor(
    private readonly s: SubscribeOptions,
    private readonly getLink: () => Promise<Link>,
    private readonly stream: string,
    private readonly idleMs: number,
  ) {}

  async fetch(after: number, signal: AbortSignal): Promise<{ events: StreamEvent[]; caughtUp: boolean } | { resync: ResyncInfo }> {
    const l = await this.getLink();
    if (this.startedAt !== after || !this.messages || this.madeAt !== l.reconnects) {
      const resync = await this.begin(l, after);
      if (resync) return { resync };
    }
    if (this.queue.length === 0) await this.waitForMessages(signal);
    if (this.queue.length === 0 && this.madeAt !== l.reconnects) {
      // Reconnected while waiting: the server may have lost the consumer (a restart). Make it again.
      await this.restart();
      return { events: [], caughtUp: false };
    }
    if (this.queue.length === 0) {
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
    const first = taken[0].seq;
    if (first > after + 1 && !this.s.durableName) {
      // The stream no longer holds after + 1 (max_age): the consumer must resync. (A durable
      // consumer keeps its own position on the server, which may be ahead of `after`.)
      this.queue.unshift(...taken);
      await this.restart();
      return { resync: { service: this.s.service, firstAvailable: first } };
    }
    const events = taken.map((m) => ({ ...(m.json<StreamEvent>() as StreamEvent), seq: m.seq, service: this.s.service }));
    if (this.s.durableName) this.pendingAcks = taken;
    this.startedAt = events[events.length - 1].seq;
    return { events, caughtUp: this.startedAt >= this.lastAtStart && this.queue.length === 0 };
  }

  private pendingAcks: JsMsg[] = [];

  async done(): Promise<void> {
    const acks = this.pendingAcks;
    this.pendingAcks = [];
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
    const back = [...this.pendingAcks, ...this.queue];
    this.pendingAcks = [];
    this.queue = [];
    for (const m of back) m.nak();
    await (await this.getLink()).nc.flush();
    this.startedAt = events[0].seq - 1;
  }

  async reset(): Promise<void> {
    await this.restart();
  }

  async close(): Promise<void> {
    await this.restart();
  }

  private async restart(): Promise<void> {
    const m = this.messages;
    this.messages = undefined;
    this.startedAt = undefined;
    this.queue = [];
    await m?.close().catch(() => undefined);
  }

  /** (Re)creates the consumer at after + 1; answers a resync when the stream no longer holds it. */
  private async begin(l: Link, after: number): Promise<ResyncInfo | undefined> {
    await this.restart();
    this.madeAt = l.reconnects;
    const info = await l.jsm.streams.info(this.stream);
    const { first_seq, last_seq, messages } = info.state;
    this.lastAtStart = last_seq;
    const firstAvailable = messages > 0 ? first_seq : last_seq + 1;
    if (after + 1 < firstAvailable && last_seq > after) return { service: this.s.service, firstAvailable };
    const batch = this.s.batchSize ?? 500;
    const consumer = this.s.durableName
      ? await this.durable(l, after, batch)
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

  private async durable(l: Link, after: number, batch: number) {
    const name = this.s.durableName!;
    try {
      await l.jsm.consumers.info(this.stream, name);
    } catch (err) {
      if (!(err instanceof JetStreamApiError) || err.code !== 10014) throw err;
      await l.jsm.consumers.add(this.stream, {
        durable_name: name,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: after + 1,
        ack_wait: msToNanos(30_000),
        // No more in flight than one batch: a redelivery can never overtake newer events.
        max_ack_pending: batch,
      });
    }
    return l.js.consumers.get(this.stream, name);
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

async function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
