import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { JetStreamSource } from './jetstream-source';
import type { Link } from './nats-link';
import { natsStreamName } from './nats-names';
import { RunningSubscriptions, runSubscription } from './subscription-loop';
import type { EventLogger, EventTransport } from './types';

export interface NatsTransportOptions {
  url: string;
  logger: EventLogger;
  /** Must match the relays' namespace (default `canaduck`). */
  namespace?: string;
  /** How long a fetch waits for events before reporting "in sync, nothing new" (default 1000 ms). */
  idleMs?: number;
}

/**
 * NATS JetStream: one stream per service (stream seq == event seq). Without durableName an
 * ordered consumer starts at after + 1 (the consumer keeps its own cursor); with durableName a
 * durable consumer keeps the cursor on the server and each event is acked after the handler.
 * Either way a seq the relay erased after a scrub arrives as its scrubbed copy, and seqs pruned
 * by max_age answer onResync (JetStreamSource).
 */
export function natsTransport(o: NatsTransportOptions): EventTransport {
  let link: Promise<Link> | undefined;
  const subscriptions = new RunningSubscriptions();
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
      const source = new JetStreamSource(s, getLink, natsStreamName(s.service, o.namespace), o.namespace, o.idleMs ?? 1000);
      return subscriptions.add(runSubscription(s, source, o.logger));
    },
    async close() {
      await subscriptions.stopAll();
      const l = await link?.catch(() => undefined);
      link = undefined;
      await l?.nc.drain().catch(() => undefined);
    },
  };
}
