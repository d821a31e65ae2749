import { z } from 'zod';
import { commonShape, port, positiveInt } from '@canaduck/config';

/** Environment of the stats-service; see the README's configuration table. */
export const configShape = {
  ...commonShape,
  PORT: port(5005),
  /** Wait between two polls of message-service's feed once caught up. */
  STATS_POLL_MS: positiveInt(1000),
  /** Events asked per page (message-service allows at most 5000). */
  STATS_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(500),
  /** How often the visibility of every known channel is asked again. */
  STATS_CHANNEL_REFRESH_MS: positiveInt(5000),
  /** NATS JetStream: when set, the user stream (token revocation) is read there instead of user-service's feed. */
  NATS_URL: z.string().optional(),
};

export type Config = z.infer<z.ZodObject<typeof configShape>>;

/** The stats-service's own settings, as plain typed values. */
export interface Settings {
  /** Wait between polls once caught up. */
  pollMs: number;
  /** Events asked per page; a full page means "more to catch up". */
  batchSize: number;
  /** How often every known channel's visibility is asked again. */
  channelRefreshMs: number;
}

export function settingsFrom(config: Config): Settings {
  return {
    pollMs: config.STATS_POLL_MS,
    batchSize: config.STATS_BATCH_SIZE,
    channelRefreshMs: config.STATS_CHANNEL_REFRESH_MS,
  };
}
