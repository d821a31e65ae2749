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
};
