import type { connect } from '@nats-io/transport-node';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';

export type NatsConnection = Awaited<ReturnType<typeof connect>>;

/** The consumers' connection to NATS, shared by every subscription of one transport. */
export interface Link {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** Counts reconnections: a restarted server has forgotten the ordered consumers made before. */
  reconnects: number;
}
