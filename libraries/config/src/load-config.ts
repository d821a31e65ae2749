import { z } from 'zod';
import { duration } from './duration';
import { urlList } from './url-list';

/** Thrown at start-up when the environment is wrong; lists every problem at once. */
export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses `env` with a zod object schema whose keys are environment variable names.
 * Empty strings count as unset so that `FOO=` in a .env file falls back to the default.
 */
export function loadConfig<S extends z.ZodRawShape>(shape: S, env: NodeJS.ProcessEnv = process.env): z.infer<z.ZodObject<S>> {
  const cleaned: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') cleaned[key] = value;
  }
  const result = z.object(shape).safeParse(cleaned);
  const problems = result.success ? [] : result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  // JWT_SECRET signs user tokens only with HS256: with EdDSA or RS256 the services verify with
  // JWT_PUBLIC_KEY, and a service that holds no secret cannot mint a user token.
  if ('JWT_SECRET' in shape && !cleaned.JWT_SECRET && (cleaned.JWT_ALGORITHM ?? 'HS256') === 'HS256') {
    problems.push('JWT_SECRET: Required (user tokens are HS256 unless JWT_ALGORITHM is EdDSA or RS256)');
  }
  // In production each service signs with its own key: keys derived from a shared secret would let
  // anyone holding it sign as every service (see service-keys.ts in @canaduck/auth).
  if ('SERVICE_PRIVATE_KEY' in shape && cleaned.NODE_ENV === 'production') {
    for (const key of ['SERVICE_PRIVATE_KEY', 'SERVICE_PUBLIC_KEYS'].filter((k) => !cleaned[k])) {
      problems.push(
        `${key}: Required in production (this service's own Ed25519 key and its callers' public keys, from node scripts/generate-keys.mjs); keys derived from SERVICE_TOKEN_SECRET are for local runs only`,
      );
    }
  }
  if (!result.success || problems.length > 0) throw new ConfigError(problems);
  return result.data;
}

/** Prints the problems and exits: the fail-fast path used by every `main.ts`. */
export function loadConfigOrExit<S extends z.ZodRawShape>(shape: S, env: NodeJS.ProcessEnv = process.env): z.infer<z.ZodObject<S>> {
  try {
    return loadConfig(shape, env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

/** Reusable field types. */
export const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);
export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
/** A whole number from `min` to `max` (both included), `fallback` when unset. */
export const intBetween = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);
export const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
export const url = () => z.string().url();
export const csv = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );

/**
 * The settings every service shares. JWT_SECRET must be 32+ characters; it is
 * mandatory with HS256 user tokens and the local launcher generates one for development.
 */
export const commonShape = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // `all`: one line per request; `errors` (default): answers of 400 or more only; `off`.
  ACCESS_LOG: z.enum(['all', 'errors', 'off']).default('errors'),
  // Required with JWT_ALGORITHM=HS256 (loadConfig checks it); unused with EdDSA or RS256.
  JWT_SECRET: z.string().min(32, 'JWT_SECRET must be at least 32 characters').optional(),
  JWT_ISSUER: z.string().default('canaduck-user-service'),
  JWT_AUDIENCE: z.string().default('canaduck-irc'),
  JWT_ALGORITHM: z.enum(['HS256', 'RS256', 'EdDSA']).default('HS256'),
  JWT_PUBLIC_KEY: z.string().optional(),
  JWT_PRIVATE_KEY: z.string().optional(),
  SERVICE_TOKEN_SECRET: z.string().min(32, 'SERVICE_TOKEN_SECRET must be at least 32 characters').optional(),
  // This service's Ed25519 private key (PEM, `\n` may be escaped) and its callers' public keys
  // (JSON: { "<service>": "<PEM>" }). Both or neither: without them, each service's key is
  // derived from SERVICE_TOKEN_SECRET (else JWT_SECRET), for local runs; required in production.
  SERVICE_PRIVATE_KEY: z.string().optional(),
  SERVICE_PUBLIC_KEYS: z.string().optional(),
  DATABASE_URL: z.string().optional(),
  DATA_DIR: z.string().default('data'),
  BODY_LIMIT: z.string().default('100kb'),
  SHUTDOWN_TIMEOUT_MS: positiveInt(10000),
  // On a signal, how long the server still serves (Connection: close) before it stops listening.
  SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).default(400),
  HTTP_TIMEOUT_MS: positiveInt(2000),
  // Services with a database: per-request deadline (below the gateway's UPSTREAM_TIMEOUT_MS),
  // database watchdog (503 at once while it does not answer) and connection pool wait.
  REQUEST_TIMEOUT_MS: positiveInt(4000),
  DB_PING_INTERVAL_MS: positiveInt(250),
  DB_PING_TIMEOUT_MS: positiveInt(500),
  DB_ACQUIRE_TIMEOUT_MS: positiveInt(2000),
  // Each: one address, or a replica's addresses comma-separated (see url-list.ts).
  USER_SERVICE_URL: urlList('http://127.0.0.1:5001'),
  MESSAGE_SERVICE_URL: urlList('http://127.0.0.1:5002'),
  CHANNEL_SERVICE_URL: urlList('http://127.0.0.1:5003'),
  GATEWAY_SERVICE_URL: urlList('http://127.0.0.1:5004'),
  STATS_SERVICE_URL: urlList('http://127.0.0.1:5005'),
  REALTIME_SERVICE_URL: urlList('http://127.0.0.1:5006'),
  // NATS JetStream server (`nats://127.0.0.1:4222`): when set, the event streams are relayed to and
  // read from it; unset (or empty): the services' HTTP feeds only.
  NATS_URL: z.preprocess((v) => (v === '' ? undefined : v), z.string().url().optional()),
  // How long a service keeps its events (seconds, read as a duration); a reader behind that gets
  // 410 resync_required.
  EVENT_RETENTION: duration('7d'),
  // Prefix of the JetStream streams and subjects (`canaduck`: CANADUCK_EVENTS_<SERVICE>), so that
  // deployments or test runs can share one NATS server.
  NATS_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('canaduck'),
};

export type CommonConfig = z.infer<z.ZodObject<typeof commonShape>>;
