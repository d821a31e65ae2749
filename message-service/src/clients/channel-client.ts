import { channelAccessSchema, type ChannelAccess } from '@canaduck/contracts';
import { ServiceUnavailableError } from '@canaduck/errors';
import type { ServiceClient } from '@canaduck/http-client';
import { pseudoKey } from '@canaduck/service-kit';
import { LRUCache } from 'lru-cache';

export type { ChannelAccess };

/** Bounded so that a flood of distinct (channel, pseudo) pairs cannot grow memory without limit. */
const MAX_ENTRIES = 50_000;

/**
 * Asks channel-service who may do what in a channel. Answers are reused for `cacheMs` at most, and
 * concurrent asks for the same key share one request (the pending answer is what is cached), so
 * posting does not cost a round trip each time. A channel event drops the channel's answers at
 * once (`forgetChannel`, called by ChannelAccessFollower); `cacheMs` is the backstop while the
 * channel stream is down. Failures are never cached and never served stale: when channel-service
 * cannot be reached the caller gets a 503 (writes and reads fail closed).
 */
export class ChannelClient {
  private readonly cache: LRUCache<string, Promise<ChannelAccess>>;
  /** Cache keys per lower-cased channel name, kept in step with the cache by its dispose hook. */
  private readonly keysByChannel = new Map<string, Set<string>>();

  /** The circuit breaker in front of channel-service: shown on /ready (the fault suite waits for it to close). */
  get circuitState(): 'open' | 'halfOpen' | 'closed' {
    return this.http.circuitState;
  }

  constructor(
    private readonly http: ServiceClient,
    cacheMs: number,
  ) {
    // ttlResolution 0: the clock is read at each look-up instead of cached behind a timer.
    this.cache = new LRUCache({
      max: MAX_ENTRIES,
      ttl: cacheMs,
      ttlResolution: 0,
      dispose: (_value, key, reason) => {
        if (reason !== 'set') this.unindex(key);
      },
    });
  }

  access(channel: string, pseudo: string, admin: boolean, requestId?: string): Promise<ChannelAccess> {
    const key = `${channel}\n${pseudoKey(pseudo)}\n${admin ? 1 : 0}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const value = this.fetch(channel, pseudo, admin, requestId);
    this.cache.set(key, value);
    this.index(key);
    value.catch(() => {
      if (this.cache.peek(key) === value) this.cache.delete(key);
    });
    return value;
  }

  private async fetch(channel: string, pseudo: string, admin: boolean, requestId?: string): Promise<ChannelAccess> {
    const res = await this.http.get<unknown>(`/internal/channels/${encodeURIComponent(channel)}/access/${encodeURIComponent(pseudo)}`, {
      query: { admin },
      requestId,
    });
    const body = res.status === 200 ? channelAccessSchema.safeParse(res.data) : undefined;
    if (!body?.success) throw new ServiceUnavailableError(`channel-service failed (status ${res.status})`, 'dependency_failed');
    return body.data;
  }

  /** Drops every cached answer about the channel (its next ask goes to channel-service). */
  forgetChannel(channel: string): void {
    const keys = this.keysByChannel.get(channel.toLowerCase());
    if (!keys) return;
    for (const key of [...keys]) this.cache.delete(key);
    this.keysByChannel.delete(channel.toLowerCase());
  }

  /** Drops every cached answer (the channel stream could not say what changed). */
  forgetAll(): void {
    this.cache.clear();
    this.keysByChannel.clear();
  }

  /** Indexed by the lower-cased name: forgetting a channel drops every spelling of it (the safe side). */
  private index(key: string): void {
    const channel = key.slice(0, key.indexOf('\n')).toLowerCase();
    let keys = this.keysByChannel.get(channel);
    if (!keys) this.keysByChannel.set(channel, (keys = new Set()));
    keys.add(key);
  }

  private unindex(key: string): void {
    const channel = key.slice(0, key.indexOf('\n')).toLowerCase();
    const keys = this.keysByChannel.get(channel);
    keys?.delete(key);
    if (keys?.size === 0) this.keysByChannel.delete(channel);
  }

  close(): void {
    this.forgetAll();
    this.http.close();
  }
}
