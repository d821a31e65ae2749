import { ServiceUnavailableError } from '@canaduck/errors';
import type { ServiceClient } from '@canaduck/http-client';
import { pseudoKey } from '@canaduck/service-kit';
import { LRUCache } from 'lru-cache';

/**
 * channel-service's answer to `GET /internal/channels/<name>/access/<pseudo>` (structures.md
 * section 5). Caller-side copy until `ChannelAccess` of @canaduck/contracts (channel-service's
 * contract) replaces it.
 */
export interface ChannelAccess {
  channel: string;
  channel_id: string | null;
  exists: boolean;
  private: boolean;
  secret: boolean;
  member: boolean;
  banned: boolean;
  role: 'owner' | 'moderator' | 'member' | null;
  can_read: boolean;
  can_post: boolean;
  can_moderate: boolean;
}

/** Bounded so that a flood of distinct (channel, pseudo) pairs cannot grow memory without limit. */
const MAX_ENTRIES = 50_000;

/**
 * Asks channel-service who may do what in a channel. Answers are reused for `cacheMs` at most, and
 * concurrent asks for the same key share one request (the pending answer is what is cached), so
 * posting does not cost a round trip each time. Failures are never cached and never served stale:
 * when channel-service cannot be reached the caller gets a 503 (writes and reads fail closed).
 */
export class ChannelClient {
  private readonly cache: LRUCache<string, Promise<ChannelAccess>>;

  constructor(
    private readonly http: ServiceClient,
    cacheMs: number,
  ) {
    // ttlResolution 0: the clock is read at each look-up instead of cached behind a timer.
    this.cache = new LRUCache({ max: MAX_ENTRIES, ttl: cacheMs, ttlResolution: 0 });
  }

  access(channel: string, pseudo: string, admin: boolean, requestId?: string): Promise<ChannelAccess> {
    const key = `${channel}\n${pseudoKey(pseudo)}\n${admin ? 1 : 0}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const value = this.fetch(channel, pseudo, admin, requestId);
    this.cache.set(key, value);
    value.catch(() => {
      if (this.cache.peek(key) === value) this.cache.delete(key);
    });
    return value;
  }

  private async fetch(channel: string, pseudo: string, admin: boolean, requestId?: string): Promise<ChannelAccess> {
    const res = await this.http.get<ChannelAccess>(
      `/internal/channels/${encodeURIComponent(channel)}/access/${encodeURIComponent(pseudo)}`,
      { query: { admin }, requestId },
    );
    if (res.status !== 200 || typeof res.data !== 'object' || res.data === null || typeof res.data.exists !== 'boolean') {
      throw new ServiceUnavailableError(`channel-service failed (status ${res.status})`, 'dependency_failed');
    }
    return res.data;
  }

  close(): void {
    this.cache.clear();
    this.http.close();
  }
}
