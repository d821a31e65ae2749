import { AckPolicy, DeliverPolicy, JetStreamApiError, type JetStreamManager } from '@nats-io/jetstream';
import { msToNanos } from './nats-names';

const CONSUMER_NOT_FOUND = 10014;

/**
 * The seq the durable consumer `name` has acked through (it is created at after + 1 when missing).
 * The server moves a consumer past pruned messages without a word once it pulls again, so the
 * floor is read before consuming.
 */
export async function durableAckFloor(jsm: JetStreamManager, stream: string, name: string, after: number, batch: number): Promise<number> {
  try {
    const info = await jsm.consumers.info(stream, name);
    // Nothing acked yet: the floor is just before where the consumer was made to start.
    return info.ack_floor.consumer_seq > 0 ? info.ack_floor.stream_seq : Math.max(0, (info.config.opt_start_seq ?? 1) - 1);
  } catch (err) {
    if (!(err instanceof JetStreamApiError) || err.code !== CONSUMER_NOT_FOUND) throw err;
    await jsm.consumers.add(stream, {
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
