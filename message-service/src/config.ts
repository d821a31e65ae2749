import ms from 'ms';
import { commonShape, port, positiveInt, z } from '@canaduck/config';

/**
 * A duration read with `ms` ("7d", "12h", "30m", "90s"); a bare number is seconds. Anything else,
 * zero or negative fails at start-up.
 */
const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const text = value.trim();
      // ms() throws on an empty string or one over 100 characters instead of answering undefined.
      const millis = /^\d+$/.test(text) ? Number(text) * 1000 : text && text.length <= 100 ? ms(text as ms.StringValue) : undefined;
      if (typeof millis !== 'number' || !Number.isSafeInteger(millis) || millis <= 0) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'expected a positive duration: "7d", "12h", "30m" or seconds' });
        return z.NEVER;
      }
      return millis;
    });

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
  /** Unset: events served on GET /internal/events only and channel events long-polled from channel-service; set: NATS JetStream. */
  NATS_URL: z.preprocess((v) => (v === '' ? undefined : v), z.string().url().optional()),
  /** How long the message events are kept; a reader behind that gets 410 resync_required. */
  EVENT_RETENTION: duration('7d'),
  /** Group commit on MySQL: posts per INSERT at most while several arrive at once (1 turns it off). */
  MESSAGE_INSERT_BATCH: z.coerce.number().int().min(1).max(1000).default(100),
  /** Deepest search page: offset + limit at most this; further with the `before` cursor. */
  SEARCH_MAX_WINDOW: positiveInt(1000),
  /** Distinct emoji one message may carry (a new one past it is a 422 too_many_emoji). */
  MAX_EMOJI_PER_MESSAGE: positiveInt(50),
  /** Reactions one user may put on one message (past it, 422 too_many_reactions). */
  MAX_REACTIONS_PER_USER: positiveInt(10),
  /** Posts waiting for the insert batcher at most; past it, 503 insert_queue_full with Retry-After. */
  INSERT_QUEUE_MAX: positiveInt(5000),
  /** How long an Idempotency-Key's first answer is kept and replayed. */
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
    eventRetentionMs: config.EVENT_RETENTION,
    insertBatch: config.MESSAGE_INSERT_BATCH,
    searchMaxWindow: config.SEARCH_MAX_WINDOW,
    reactionLimits: { emojiPerMessage: config.MAX_EMOJI_PER_MESSAGE, perUser: config.MAX_REACTIONS_PER_USER },
    insertQueueMax: config.INSERT_QUEUE_MAX,
    idempotencyTtlMs: config.IDEMPOTENCY_TTL,
  };
}
