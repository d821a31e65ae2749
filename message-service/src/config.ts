import { commonShape, port, positiveInt, z } from '@canaduck/config';

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
  MESSAGE_INSERT_BATCH: z.coerce.number().int().min(1).max(1000).default(100),
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
}

export function settingsFrom(config: MessageConfig): Settings {
  return {
    bodyLimit: config.BODY_LIMIT,
    channelServiceUrl: config.CHANNEL_SERVICE_URL,
    userServiceUrl: config.USER_SERVICE_URL,
    httpTimeoutMs: config.HTTP_TIMEOUT_MS,
    accessCacheMs: config.ACCESS_CACHE_MS,
    natsUrl: config.NATS_URL,
    eventRetentionMs: config.EVENT_RETENTION * 1000,
    insertBatch: config.MESSAGE_INSERT_BATCH,
  };
}
