import type { Logger } from '@canaduck/logging';

/** The services that own an event stream. */
export type SourceService = 'user' | 'channel' | 'message';

/**
 * What mints the service tokens of calls to a service's feed (ServiceTokenMinter): `get(callee)`
 * gives a token addressed to `callee` (its service name, `user-service`...).
 */
export interface ServiceTokenSource {
  get(callee: string): string | Promise<string>;
}

export const SOURCE_SERVICES: readonly SourceService[] = ['user', 'channel', 'message'];

/** One event of one service's stream. `seq` is dense (1, 2, 3, ... no gaps) in commit order. */
export interface StreamEvent<D = unknown> {
  service: SourceService;
  seq: number;
  /** e.g. 'message.created', 'channel.member_joined', 'user.roles_changed' (EVENT_TYPES). */
  type: string;
  /** ISO time taken when the event was written (inside the writer's transaction). */
  at: string;
  data: D;
}

/** What a writer appends: the type, its payload and, when it may be scrubbed later, a subject. */
export interface NewEvent {
  type: string;
  data: unknown;
  /** A key to find the event again (e.g. `message:42`) for Outbox.scrub. */
  subject?: string;
}

/** One page of a feed: `last_seq` is the highest seq returned, or `after` when none. */
export interface FeedPage {
  events: StreamEvent[];
  last_seq: number;
}

export interface EventSubscription {
  /** Stops fetching and waits for the handler in flight. */
  stop(): Promise<void>;
}

export interface ResyncInfo {
  service: SourceService;
  /** The oldest seq the stream still holds. */
  firstAvailable: number;
}

export interface SubscribeOptions {
  service: SourceService;
  /** Deliver events with seq > after (ignored by an existing durable consumer: it keeps its own). */
  after: number;
  /** Called with batches in seq order; the next batch is fetched only once it resolves. */
  handler: (events: StreamEvent[]) => Promise<void>;
  /**
   * The cursor is older than retention. The consumer rebuilds what it must, then delivery goes on
   * from `firstAvailable` (or from the seq after the number it returns).
   */
  onResync?: (info: ResyncInfo) => Promise<number | void> | number | void;
  /** Called after every successful contact with the stream, events or not (staleness checks). */
  onSync?: (info: { service: SourceService; at: number; caughtUp: boolean; after: number }) => void;
  /** NATS only: a durable consumer that acks after the handler resolves (redelivers on failure). */
  durableName?: string;
  /** Events per batch (default 500). */
  batchSize?: number;
}

/** Two transports behind one interface: HTTP long-poll feeds (embedded default) and NATS JetStream. */
export interface EventTransport {
  readonly kind: 'http' | 'nats';
  subscribe(o: SubscribeOptions): EventSubscription;
  /** Stops every subscription and closes connections. */
  close(): Promise<void>;
}

export type EventLogger = Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
