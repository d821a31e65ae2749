import { z } from 'zod';
import { commonShape, port } from '@canaduck/config';

/** Environment of the channel-service; see the README's configuration table. */
export const configShape = {
  ...commonShape,
  PORT: port(5003),
  /** NATS JetStream: when set, the user stream (token revocation) is read there instead of user-service's feed. */
  NATS_URL: z.string().optional(),
};

export type Config = z.infer<z.ZodObject<typeof configShape>>;

/** What the app reads from the configuration, as plain typed values. */
export interface Settings {
  /** Largest JSON body accepted (express's `limit`, e.g. `100kb`). */
  bodyLimit: string;
}

export function settingsFrom(config: Config): Settings {
  return { bodyLimit: config.BODY_LIMIT };
}
