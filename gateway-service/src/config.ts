import type { ProxiedName } from './routing/route-table';
import { bool, commonShape, csv, intBetween, port, positiveInt, splitUrlList, urlList, z } from '@canaduck/config';

/**
 * `TRUST_PROXY` as Express understands it: `false` (default: the client is the socket peer),
 * `true`, a hop count (`1` behind Traefik), or a list of addresses/subnets.
 */
const trustProxy = z
  .string()
  .default('false')
  .transform((v): boolean | number | string => {
    if (v === 'false' || v === '0') return false;
    if (v === 'true') return true;
    if (/^\d+$/.test(v)) return Number(v);
    return v;
  });

/**
 * One upstream address or several, comma-separated (replicas: the gateway balances over them,
 * round robin, skipping a replica that refuses connections). Each must be a URL.
 */
const upstreamList = (fallback: string) => urlList(fallback).transform((v) => splitUrlList(v));

/** Environment of the gateway-service; see the README's configuration table. */
export const configShape = {
  ...commonShape,
  PORT: port(5004),
  USER_SERVICE_URL: upstreamList('http://127.0.0.1:5001'),
  MESSAGE_SERVICE_URL: upstreamList('http://127.0.0.1:5002'),
  CHANNEL_SERVICE_URL: upstreamList('http://127.0.0.1:5003'),
  STATS_SERVICE_URL: upstreamList('http://127.0.0.1:5005'),
  REALTIME_SERVICE_URL: upstreamList('http://127.0.0.1:5006'),
  /** Unset: the revocation map long-polls user-service's feed; set: it reads the user stream from NATS JetStream. */
  NATS_URL: z.preprocess((v) => (v === '' ? undefined : v), z.string().url().optional()),
  /** A proxied or composed call with no answer within this time is a 504. */
  UPSTREAM_TIMEOUT_MS: positiveInt(5000),
  /** Keep-alive sockets per upstream: generous, the gateway should never be the queue. */
  PROXY_MAX_SOCKETS: positiveInt(1024),
  /** How many messages `/fullinfo` returns in `last_messages`. */
  FULLINFO_MESSAGES: intBetween(1, 200, 10),
  ACTIVITY_FLUSH_MS: positiveInt(5000),
  CORS_ORIGINS: csv('*'),
  RATE_LIMIT_WINDOW_MS: positiveInt(60000),
  RATE_LIMIT_MAX: positiveInt(20),
  /** Tries on /login and /register per account (the pseudo in the body) and window, from any address. */
  RATE_LIMIT_ACCOUNT_MAX: positiveInt(10),
  /** Set: the /login and /register counters live in Redis, shared by every gateway replica; unset: in memory. */
  REDIS_URL: z.preprocess((v) => (v === '' ? undefined : v), z.string().url().optional()),
  /** Prefix of the counters' Redis keys. */
  RATE_LIMIT_KEY_PREFIX: z.string().min(1).default('canaduck:auth-limit'),
  TRUST_PROXY: trustProxy,
  /** `all`: one line per request; `errors` (default): only failures, nothing on the hot path; `off`. */
  ACCESS_LOG: z.enum(['all', 'errors', 'off']).default('errors'),
  /** Verified tokens remembered (until they expire) so a hot client costs one HMAC, not one per request; 0 disables. */
  TOKEN_CACHE_SIZE: intBetween(0, 1_000_000, 10000),
  /** /ready asks each service's /health and gives up after this long. */
  READY_TIMEOUT_MS: positiveInt(1000),
  /** Serve the aggregated Swagger UI at /docs. */
  DOCS_ENABLED: bool(true),
  /**
   * Port of a second listener serving only GET /metrics (Prometheus). Unset: no metrics
   * listener. The public port never answers /metrics, whatever this says.
   */
  METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
};

export type GatewayConfig = z.infer<z.ZodObject<typeof configShape>>;

/** The gateway's settings as plain typed values (what createGateway and its parts read). */
export interface Settings {
  /** Every address of each service (replicas); the proxy balances over them. */
  upstreamUrls: Record<ProxiedName, string[]>;
  /** See NATS_URL. */
  natsUrl?: string;
  upstreamTimeoutMs: number;
  proxyMaxSockets: number;
  fullinfoMessages: number;
  activityFlushMs: number;
  /** Empty or holding `*`: any origin. */
  corsOrigins: string[];
  rateLimit: { windowMs: number; max: number; accountMax: number; keyPrefix: string; redisUrl?: string };
  trustProxy: boolean | number | string;
  accessLog: 'all' | 'errors' | 'off';
  tokenCacheSize: number;
  readyTimeoutMs: number;
  docsEnabled: boolean;
}

export function settingsFrom(c: GatewayConfig): Settings {
  return {
    upstreamUrls: {
      'user-service': c.USER_SERVICE_URL,
      'message-service': c.MESSAGE_SERVICE_URL,
      'channel-service': c.CHANNEL_SERVICE_URL,
      'stats-service': c.STATS_SERVICE_URL,
      'realtime-service': c.REALTIME_SERVICE_URL,
    },
    natsUrl: c.NATS_URL,
    upstreamTimeoutMs: c.UPSTREAM_TIMEOUT_MS,
    proxyMaxSockets: c.PROXY_MAX_SOCKETS,
    fullinfoMessages: c.FULLINFO_MESSAGES,
    activityFlushMs: c.ACTIVITY_FLUSH_MS,
    corsOrigins: c.CORS_ORIGINS,
    rateLimit: {
      windowMs: c.RATE_LIMIT_WINDOW_MS,
      max: c.RATE_LIMIT_MAX,
      accountMax: c.RATE_LIMIT_ACCOUNT_MAX,
      keyPrefix: c.RATE_LIMIT_KEY_PREFIX,
      redisUrl: c.REDIS_URL,
    },
    trustProxy: c.TRUST_PROXY,
    accessLog: c.ACCESS_LOG,
    tokenCacheSize: c.TOKEN_CACHE_SIZE,
    readyTimeoutMs: c.READY_TIMEOUT_MS,
    docsEnabled: c.DOCS_ENABLED,
  };
}
