/**
 * Login attempts per client address in a fixed window, like the gateway's limit on `/login`:
 * the door calls user-service directly, so it applies the same limit itself.
 */
export class LoginLimiter {
  private readonly hits = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  /** Counts an attempt; false when the address is over its limit. */
  take(address: string): boolean {
    const now = this.now();
    if (this.hits.size > 10000) for (const [k, v] of this.hits) if (v.resetAt <= now) this.hits.delete(k);
    const entry = this.hits.get(address);
    if (!entry || entry.resetAt <= now) {
      this.hits.set(address, { count: 1, resetAt: now + this.windowMs });
      return true;
    }
    entry.count++;
    return entry.count <= this.max;
  }
}
