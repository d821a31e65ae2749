import { JetStreamApiError, type JetStreamManager } from '@nats-io/jetstream';
import { natsScrubStreamName, natsScrubSubject, natsStreamName } from './nats-names';
import type { SourceService, StreamEvent } from './types';

const STREAM_NOT_FOUND = 10059;

/** What a run of seqs missing from the events stream turned out to be. */
export interface GapAnswer {
  /** The scrubbed copies found for the top of the run, in seq order. */
  events: StreamEvent[];
  /** The highest seq of the run that is gone for good (retention): the reader must resync after it. */
  lost?: number;
  /** The highest seq of the run still stored: a redelivery yet to come (durable consumers), not a gap. */
  pending?: number;
}

/**
 * A seq can be missing from a service's events stream for two reasons: the relay erased it after a
 * scrub (its scrubbed copy is then in the scrub stream, stored before the erase), or max_age
 * pruned it. The first is delivered in its place, so every consumer still sees every seq once; the
 * second is a loss the reader is told about (resync), never a silent jump.
 */
export class NatsGaps {
  private readonly stream: string;
  private readonly scrubStream: string;

  constructor(
    private readonly service: SourceService,
    private readonly namespace: string | undefined,
  ) {
    this.stream = natsStreamName(service, namespace);
    this.scrubStream = natsScrubStreamName(service, namespace);
  }

  /**
   * Looks at `from`..`to` from the top down and stops at the first seq without a scrubbed copy:
   * gone from the events stream too, it was pruned (`lost`); still there, it is a redelivery yet to
   * come (durable consumers) and is no gap. A cursor far behind costs one lookup, not one per seq.
   */
  async resolve(jsm: JetStreamManager, from: number, to: number): Promise<GapAnswer> {
    const events: StreamEvent[] = [];
    for (let seq = to; seq >= from; seq--) {
      const copy = await this.scrubbedCopy(jsm, seq);
      if (copy) {
        events.unshift(copy);
        continue;
      }
      const stillStored = await jsm.streams.getMessage(this.stream, { seq });
      return stillStored ? { events, pending: seq } : { events, lost: seq };
    }
    return { events };
  }

  private async scrubbedCopy(jsm: JetStreamManager, seq: number): Promise<StreamEvent | undefined> {
    try {
      const m = await jsm.streams.getMessage(this.scrubStream, { last_by_subj: natsScrubSubject(this.service, seq, this.namespace) });
      return m ? { ...m.json<StreamEvent>(), seq, service: this.service } : undefined;
    } catch (err) {
      // No scrub stream (a relay from before it existed): nothing was ever scrubbed in JetStream.
      if (err instanceof JetStreamApiError && err.code === STREAM_NOT_FOUND) return undefined;
      throw err;
    }
  }
}
