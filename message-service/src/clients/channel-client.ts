import { ServiceUnavailableError } from '@canaduck/errors';
import type { ServiceClient } from '@canaduck/http-client';
import { pseudoKey } from '@canaduck/service-kit';

/** channel-service's answer to `GET /internal/channels/<name>/access/<pseudo>` (structures.md section 5). */
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

interface CacheEntry {
  until: number;
  value: Promise<ChannelAccess>;
}

/** Bounded so that a flood of distinct (channel, pseudo) pairs cannot grow memory without limit. */
const MAX_ENTRIES = 50_000;

/**
 * Asks channel-service who may do what in a channel. Answers are reused for `cacheMs` at most, and
 * concurrent asks for the same key share one request, so posting does not cost a round trip each
 * time. Failures are never cached and never served stale: when channel-service cannot be reached
 * the caller gets a 503 (writes and reads fail closed).
 */
export class ChannelClient {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    private readonly http: ServiceClient,
    private readonly cacheMs: number,
  ) {}

  access(channel: string, pseudo: string, admin: boolean, requestId?: string): Promise<ChannelAccess> {
    const key = `${channel}\n${pseudoKey(pseudo)}\n${admin ? 1 : 0}`;
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.until > now) return hit.value;
    const value = this.fetch(channel, pseudo, admin, requestId);
    if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
    this.cache.set(key, { until: now + this.cacheMs, value });
    value.catch(() => {
      if (this.cache.get(key)?.value === value) this.cache.delete(key);
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
    this.http.close();
  }
}
