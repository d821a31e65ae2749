import { commonShape, duration, intBetween, port, positiveInt, z } from '@canaduck/config';

/** Environment of the message-service; see the README's configuration table. */
export const configShape = {
  ...commonShape,
  PORT: port(5002),
  /**
   * How long a channel-service access answer may be reused at most (structures.md section 5). A
   * channel event drops the channel's answers at once; this is the backstop while the channel
   * stream is down.
   */
  ACCESS_CACHE_MS: positiveInt(2000),
  /** Group commit on MySQL: posts per INSERT at most while several arrive at once (1 turns it off). */
  MESSAGE_INSERT_BATCH: intBetween(1, 1000, 100),
  /** Deepest search page: offset + limit at most this; further with the `before` cursor. */
  SEARCH_MAX_WINDOW: positiveInt(1000),
  /** Distinct emoji one message may carry (a new one past it is a 422 too_many_emoji). */
  MAX_EMOJI_PER_MESSAGE: positiveInt(50),
  /** Reactions one user may put on one message (past it, 422 too_many_reactions). */
  MAX_REACTIONS_PER_USER: positiveInt(10),
  /** Posts waiting for the insert batcher at most; past it, 503 insert_queue_full with Retry-After. */
  INSERT_QUEUE_MAX: positiveInt(5000),
  /** How long an Idempotency-Key's first answer is kept and replayed (seconds, or `24h`, `30m`...). */
  IDEMPOTENCY_TTL: duration('24h'),
};

export type MessageConfig = z.infer<z.ZodObject<typeof configShape>>;

/** The message-service's settings as plain typed values, read once from the configuration. */
export interface Settings {
  /** Request body size limit (BODY_LIMIT). */
  bodyLimit: string;
  channelServiceUrl: string;
  userServiceUrl: string;
  /** Outbound request timeout (HTTP_TIMEOUT_MS). */
  httpTimeoutMs: number;
  /** See ACCESS_CACHE_MS. */
  accessCacheMs: number;
  /** See NATS_URL. */
  natsUrl?: string;
  /** See NATS_NAMESPACE. */
  natsNamespace: string;
  /** See EVENT_RETENTION (ms). */
  eventRetentionMs: number;
  /** See MESSAGE_INSERT_BATCH. */
  insertBatch: number;
  /** See SEARCH_MAX_WINDOW. */
  searchMaxWindow: number;
  /** See MAX_EMOJI_PER_MESSAGE and MAX_REACTIONS_PER_USER. */
  reactionLimits: { emojiPerMessage: number; perUser: number };
  /** See INSERT_QUEUE_MAX. */
  insertQueueMax: number;
  /** See IDEMPOTENCY_TTL (ms). */
  idempotencyTtlMs: number;
}

export function settingsFrom(config: MessageConfig): Settings {
  return {
    bodyLimit: config.BODY_LIMIT,
    channelServiceUrl: config.CHANNEL_SERVICE_URL,
    userServiceUrl: config.USER_SERVICE_URL,
    httpTimeoutMs: config.HTTP_TIMEOUT_MS,
    accessCacheMs: config.ACCESS_CACHE_MS,
    natsUrl: config.NATS_URL,
    natsNamespace: config.NATS_NAMESPACE,
    eventRetentionMs: config.EVENT_RETENTION * 1000,
    insertBatch: config.MESSAGE_INSERT_BATCH,
    searchMaxWindow: config.SEARCH_MAX_WINDOW,
    reactionLimits: { emojiPerMessage: config.MAX_EMOJI_PER_MESSAGE, perUser: config.MAX_REACTIONS_PER_USER },
    insertQueueMax: config.INSERT_QUEUE_MAX,
    idempotencyTtlMs: config.IDEMPOTENCY_TTL * 1000,
  };
}
