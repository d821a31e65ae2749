import { commonShape, intBetween, port, positiveInt, z } from '@canaduck/config';

/** Environment of the realtime-service; see the README's configuration table. */
export const configShape = {
  ...commonShape,
  PORT: port(5006),
  /** Where each stream's HTTP feed is served, when not by its service itself (defaults: the service urls). */
  USER_EVENTS_URL: z.string().url().optional(),
  CHANNEL_EVENTS_URL: z.string().url().optional(),
  MESSAGE_EVENTS_URL: z.string().url().optional(),
  /** Redis: where used ticket ids are recorded so that a ticket is single-use across replicas. */
  REDIS_URL: z.string().optional(),
  /** Events of each stream kept in memory for resumes without reading the stream again. */
  REALTIME_WINDOW_EVENTS: positiveInt(20000),
  /** Bytes a connection may leave unsent before it is closed (slow_consumer). */
  REALTIME_SEND_BUFFER_BYTES: positiveInt(1024 * 1024),
  REALTIME_HEARTBEAT_MS: positiveInt(25000),
  /** How long a resume with a cursor ahead of this replica waits for it to catch up. */
  REALTIME_RESUME_WAIT_MS: positiveInt(3000),
  /** Access answers cached while the channel stream is down or not served (the contract's limit). */
  ACCESS_CACHE_MS: positiveInt(2000),
  /** Access answers cached while the channel stream is in sync: its events drop them at once. */
  ACCESS_CACHE_SYNCED_MS: positiveInt(60000),
  /** Long-poll wait of the HTTP feeds. */
  FEED_WAIT_SECONDS: intBetween(1, 30, 20),
  TICKET_TTL_SECONDS: intBetween(1, 300, 30),
};

export type RealtimeConfig = z.infer<z.ZodObject<typeof configShape>>;

/** The service's tunables as plain typed values; tests pass their own. */
export interface Settings {
  windowEvents: number;
  sendBufferBytes: number;
  heartbeatMs: number;
  resumeWaitMs: number;
  accessCacheMs: number;
  accessCacheSyncedMs: number;
  ticketTtlSeconds: number;
  /** A stream counts as in sync while its last answer is this recent: the feed's long poll plus 5 s. */
  streamSyncWindowMs: number;
}

export function settingsFrom(c: RealtimeConfig): Settings {
  return {
    windowEvents: c.REALTIME_WINDOW_EVENTS,
    sendBufferBytes: c.REALTIME_SEND_BUFFER_BYTES,
    heartbeatMs: c.REALTIME_HEARTBEAT_MS,
    resumeWaitMs: c.REALTIME_RESUME_WAIT_MS,
    accessCacheMs: c.ACCESS_CACHE_MS,
    accessCacheSyncedMs: c.ACCESS_CACHE_SYNCED_MS,
    ticketTtlSeconds: c.TICKET_TTL_SECONDS,
    streamSyncWindowMs: (c.NATS_URL ? 1 : c.FEED_WAIT_SECONDS) * 1000 + 5000,
  };
}
