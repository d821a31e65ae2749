import type { JetStreamManager, JsMsg } from '@nats-io/jetstream';
import type { NatsGaps } from './nats-gaps';
import type { SourceService, StreamEvent } from './types';

/** How long a batch held back for an earlier seq's redelivery waits before looking again. */
export const HOLD_BACK_MS = 50;

export interface BatchOrderContext {
  gaps: NatsGaps;
  jsm: JetStreamManager;
  service: SourceService;
  /** A durable consumer: copies are acked, and a seq still stored is a redelivery to wait for. */
  durable: boolean;
}

/**
 * What a batch of messages becomes: the events to hand over (with the messages to ack for them)
 * and the position after them, or the seq lost before anything could go out. `putBack` goes to the
 * front of the queue, for a later fetch.
 */
export type OrderedBatch =
  { events: StreamEvent[]; msgs: JsMsg[]; position: number; putBack: JsMsg[] } | { lost: number; putBack: JsMsg[] };

/**
 * One message per seq, in seq order. A redelivered copy of a message already in the batch is
 * acked (durable) and dropped; redeliveries (nak'd after a failed handler) may come back behind
 * newer messages, so the batch is sorted.
 */
export function oneEachInSeqOrder(taken: JsMsg[], durable: boolean): JsMsg[] {
  const distinct = taken.filter((m, i, all) => {
    const copy = all.findIndex((x) => x.seq === m.seq) !== i;
    if (copy && durable) m.ack();
    return !copy;
  });
  return distinct.sort((a, b) => a.seq - b.seq);
}

/**
 * The batch in seq order after `position`, `fill` first, missing seqs filled with their scrubbed
 * copies. A loss stops the batch there: what comes before it goes out now, the rest is put back,
 * and the fetch that meets the loss first answers the resync. Durable: an earlier seq still
 * stored is a redelivery yet to come, so the rest is put back to wait for it, in order (never
 * 1,2,3,4,6,5).
 */
export async function orderBatch(c: BatchOrderContext, fill: StreamEvent[], position: number, taken: JsMsg[]): Promise<OrderedBatch> {
  const events = [...fill];
  const msgs: JsMsg[] = [];
  for (let i = 0; i < taken.length; i++) {
    const m = taken[i];
    if (m.seq > position + 1) {
      const gap = await c.gaps.resolve(c.jsm, position + 1, m.seq - 1);
      if (gap.lost !== undefined && events.length === 0) return { lost: gap.lost, putBack: taken.slice(i) };
      if (gap.lost !== undefined || (gap.pending !== undefined && c.durable)) return { events, msgs, position, putBack: taken.slice(i) };
      events.push(...gap.events);
    }
    events.push({ ...m.json<StreamEvent>(), seq: m.seq, service: c.service });
    msgs.push(m);
    position = Math.max(position, m.seq);
  }
  return { events, msgs, position, putBack: [] };
}
