import { z } from 'zod';
import { commonShape, port } from '@canaduck/config';

/** Environment of the channel-service; see the README's configuration table. */
export const configShape = {
  ...commonShape,
  PORT: port(5003),
};

export type Config = z.infer<z.ZodObject<typeof configShape>>;

/** What the app reads from the configuration, as plain typed values. */
export interface Settings {
  /** Largest JSON body accepted (express's `limit`, e.g. `100kb`). */
  bodyLimit: string;
  /** How long the channel events are kept (ms); a reader behind that gets 410 resync_required. */
  eventRetentionMs: number;
  /** NATS JetStream server the events are relayed to, when set. */
  natsUrl?: string;
  natsNamespace?: string;
}

export function settingsFrom(config: Config): Settings {
  return {
    bodyLimit: config.BODY_LIMIT,
    eventRetentionMs: config.EVENT_RETENTION * 1000,
    natsUrl: config.NATS_URL,
    natsNamespace: config.NATS_NAMESPACE,
  };
}
