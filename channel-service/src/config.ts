import ms from 'ms';
import { z } from 'zod';
import { commonShape, port } from '@canaduck/config';

/**
 * A duration read with `ms` ("7d", "12h", "30m", "90s"); a bare number is seconds, as the other
 * duration settings read it. Anything else, zero or negative fails at start-up.
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

/** Environment of the channel-service; see the README's configuration table. */
export const configShape = {
  ...commonShape,
  PORT: port(5003),
  // Unset: the events are served on GET /internal/events only; set: also relayed to JetStream.
  NATS_URL: z.preprocess((v) => (v === '' ? undefined : v), z.string().url().optional()),
  /** Prefix of the JetStream stream and subjects (`canaduck`: CANADUCK_EVENTS_CHANNEL), so deployments or tests can share a NATS. */
  NATS_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('canaduck'),
  EVENT_RETENTION: duration('7d'),
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
    eventRetentionMs: config.EVENT_RETENTION,
    natsUrl: config.NATS_URL,
    natsNamespace: config.NATS_NAMESPACE,
  };
}
