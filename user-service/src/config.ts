import { commonShape, duration, intBetween, port, positiveInt, z } from '@canaduck/config';
import { PSEUDO_PATTERN } from '@canaduck/service-kit';

/** The abuse limits' defaults (also used when a caller's Settings leave them out). */
export const DEFAULT_LIMITS = {
  bcryptMaxConcurrent: 4,
  bcryptQueueMax: 32,
  passwordChangeMax: 5,
  passwordChangeWindowSeconds: 900,
};

/** GUEST_ORPHAN_AFTER_S's default: ten minutes past a lease's end, long after any live door has claimed it. */
export const DEFAULT_GUEST_ORPHAN_AFTER_SECONDS = 600;

/** Environment of the user-service; see the README's configuration table. */
export const configShape = {
  ...commonShape,
  PORT: port(5001),
  /** Lifetime of the user tokens issued at login. */
  JWT_EXPIRES_IN: duration('3600'),
  /** bcrypt work factor: 10 in production, 4 in tests (each step doubles the time). */
  BCRYPT_COST: intBetween(4, 15, 10),
  /** bcrypt computations running at once in one process; more wait in a queue of BCRYPT_QUEUE_MAX, past it 503 bcrypt_busy. */
  BCRYPT_MAX_CONCURRENT: positiveInt(DEFAULT_LIMITS.bcryptMaxConcurrent),
  BCRYPT_QUEUE_MAX: z.coerce.number().int().min(0).default(DEFAULT_LIMITS.bcryptQueueMax),
  /** Password changes per account per PASSWORD_CHANGE_WINDOW: a stolen token cannot guess the old password without end. */
  PASSWORD_CHANGE_MAX: positiveInt(DEFAULT_LIMITS.passwordChangeMax),
  PASSWORD_CHANGE_WINDOW: duration(`${DEFAULT_LIMITS.passwordChangeWindowSeconds}`),
  /** A user not seen for this long counts as offline (ison, whois). */
  PRESENCE_TIMEOUT: duration('300'),
  /** whois asks channel-service for the user's channels and gives up after this long. */
  WHOIS_CHANNELS_TIMEOUT_MS: positiveInt(800),
  /**
   * A guest whose lease ran out this long ago (s) is deleted by user-service itself: no door is
   * left to claim it (a live door claims an expired guest within half its lease, which renews
   * the lease). 0 turns the sweep off.
   */
  GUEST_ORPHAN_AFTER_S: z.coerce.number().int().min(0).default(DEFAULT_GUEST_ORPHAN_AFTER_SECONDS),
  /** First administrator, created at start-up when both are set and the pseudo is free. */
  ADMIN_PSEUDO: z.string().regex(PSEUDO_PATTERN, 'ADMIN_PSEUDO must be a valid pseudo').optional(),
  ADMIN_PASSWORD: z
    .string()
    .refine((v) => Buffer.byteLength(v, 'utf8') >= 8 && Buffer.byteLength(v, 'utf8') <= 72, 'ADMIN_PASSWORD must be 8 to 72 bytes')
    .optional(),
  ADMIN_EMAIL: z.string().email('ADMIN_EMAIL must be an email address').optional(),
};

export type UserServiceConfig = z.infer<z.ZodObject<typeof configShape>>;

/** The service's tunables as plain typed values; tests pass their own. */
export interface Settings {
  jwtExpiresInSeconds: number;
  bcryptCost: number;
  presenceTimeoutSeconds: number;
  /** How long whois waits for channel-service (the channel client's timeout). */
  whoisChannelsTimeoutMs: number;
  channelServiceUrl: string;
  /** NATS JetStream url of the event relay (undefined: the HTTP feed only). */
  natsUrl?: string;
  /** Stream and subject prefix on NATS (default `canaduck`; tests use their own). */
  natsNamespace?: string;
  /** How long user events are kept. */
  eventRetentionMs: number;
  /** Left out: DEFAULT_LIMITS. */
  bcryptMaxConcurrent?: number;
  bcryptQueueMax?: number;
  passwordChangeMax?: number;
  passwordChangeWindowSeconds?: number;
  /** GUEST_ORPHAN_AFTER_S (left out: DEFAULT_GUEST_ORPHAN_AFTER_SECONDS; 0: no sweep). */
  guestOrphanAfterSeconds?: number;
}

/** The settings from the parsed environment. */
export function settingsFrom(config: UserServiceConfig): Settings {
  return {
    jwtExpiresInSeconds: config.JWT_EXPIRES_IN,
    bcryptCost: config.BCRYPT_COST,
    presenceTimeoutSeconds: config.PRESENCE_TIMEOUT,
    whoisChannelsTimeoutMs: config.WHOIS_CHANNELS_TIMEOUT_MS,
    channelServiceUrl: config.CHANNEL_SERVICE_URL,
    natsUrl: config.NATS_URL,
    natsNamespace: config.NATS_NAMESPACE,
    eventRetentionMs: config.EVENT_RETENTION * 1000,
    bcryptMaxConcurrent: config.BCRYPT_MAX_CONCURRENT,
    bcryptQueueMax: config.BCRYPT_QUEUE_MAX,
    passwordChangeMax: config.PASSWORD_CHANGE_MAX,
    passwordChangeWindowSeconds: config.PASSWORD_CHANGE_WINDOW,
    guestOrphanAfterSeconds: config.GUEST_ORPHAN_AFTER_S,
  };
}
