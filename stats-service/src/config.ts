import { z } from 'zod';
import { commonShape, intBetween, port, positiveInt } from '@canaduck/config';

/** Environment of the stats-service; see the README's configuration table. */
export const configShape = {
  ...commonShape,
  PORT: port(5005),
  /** How often channel visibility is checked for names new to the stream. */
  STATS_POLL_MS: positiveInt(1000),
  /** Events per batch of the stream (message-service allows at most 5000 per page). */
  STATS_BATCH_SIZE: intBetween(1, 5000, 500),
  /** Long-poll wait of the HTTP feed (seconds); /ready calls the feed unavailable after it plus 5 s of silence. */
  STATS_FEED_WAIT_S: z.coerce.number().min(0.05).max(30).default(20),
  /** How often the visibility of every known channel is asked again. */
  STATS_CHANNEL_REFRESH_MS: positiveInt(5000),
};

export type Config = z.infer<z.ZodObject<typeof configShape>>;

/** The stats-service's own settings, as plain typed values. */
export interface Settings {
  /** How often channel visibility is checked for new names. */
  pollMs: number;
  /** Events per batch of the stream. */
  batchSize: number;
  /** The stream is reported unavailable after this long without an answer. */
  feedStaleMs: number;
  /** How often every known channel's visibility is asked again. */
  channelRefreshMs: number;
}

export function settingsFrom(config: Config): Settings {
  return {
    pollMs: config.STATS_POLL_MS,
    batchSize: config.STATS_BATCH_SIZE,
    feedStaleMs: config.STATS_FEED_WAIT_S * 1000 + 5000,
    channelRefreshMs: config.STATS_CHANNEL_REFRESH_MS,
  };
}
