import Redis from 'ioredis';

/**
 * Records ticket ids as used. Tickets are signed JWTs, so every replica can verify one without
 * shared state; only "already used" needs sharing, and Redis (SET NX with an expiry) gives it.
 * The in-memory store is for a single replica (local runs, tests).
 */
export interface UsedTicketStore {
  /** True the first time an id is seen within `ttlMs`, false after. */
  claim(jti: string, ttlMs: number): Promise<boolean>;
  close(): void;
}

export class MemoryUsedTicketStore implements UsedTicketStore {
  private readonly used = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  async claim(jti: string, ttlMs: number): Promise<boolean> {
    const t = this.now();
    // Expired ids go at each claim: at most a ticket lifetime's worth of ids is kept.
    for (const [id, until] of this.used) {
      if (until > t) break;
      this.used.delete(id);
    }
    if ((this.used.get(jti) ?? 0) > t) return false;
    this.used.set(jti, t + ttlMs);
    return true;
  }

  close(): void {
    this.used.clear();
  }
}

export class RedisUsedTicketStore implements UsedTicketStore {
  private readonly redis: Redis;

  constructor(url: string, keyPrefix = 'canaduck:realtime:ticket:') {
    this.redis = new Redis(url, { keyPrefix, maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false });
  }

  async claim(jti: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(jti, '1', 'PX', ttlMs, 'NX')) === 'OK';
  }

  close(): void {
    this.redis.disconnect();
  }
}
