import { commonShape, port, positiveInt, z } from '@canaduck/config';

/** Environment of the message-service; see the README's configuration table. */
export const configShape = {
  ...commonShape,
  PORT: port(5002),
  /** How long a channel-service access answer may be reused (structures.md section 5: at most 2000 ms by default). */
  ACCESS_CACHE_MS: positiveInt(2000),
  /**
   * The event feed holds back events behind a gap in `seq` for this long: a gap is a transaction that
   * took its number but has not committed yet (or rolled back). Readers never skip a late commit.
   */
  EVENT_GAP_WAIT_MS: positiveInt(5000),
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
  /** See EVENT_GAP_WAIT_MS. */
  eventGapWaitMs: number;
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
    eventGapWaitMs: config.EVENT_GAP_WAIT_MS,
    insertBatch: config.MESSAGE_INSERT_BATCH,
  };
}
