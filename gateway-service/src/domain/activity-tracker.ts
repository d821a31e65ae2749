import type { ServiceClient } from '@canaduck/http-client';
import type { Logger } from '@canaduck/logging';

export interface ActivityTrackerOptions {
  /** user-service's client (it adds the service token). */
  userService: ServiceClient;
  flushMs: number;
  logger: Logger;
}

/** user-service accepts at most this many pseudos per call (structures.md section 5). */
const MAX_BATCH = 1000;

/**
 * Remembers who made an authenticated request and reports them to user-service's
 * `POST /internal/activity` in batches. Recording is a Set insertion: it never delays or
 * fails a request. A batch that cannot be delivered is dropped (logged): presence is a
 * hint, the next request of the same user reports them again.
 */
export class ActivityTracker {
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: ActivityTrackerOptions) {}

  record(pseudo: string): void {
    this.pending.add(pseudo);
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), this.o.flushMs);
    this.timer.unref();
  }

  /** Sends what was recorded since the last flush; never throws. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const pseudos = [...this.pending];
    this.pending = new Set();
    for (let i = 0; i < pseudos.length; i += MAX_BATCH) {
      const batch = pseudos.slice(i, i + MAX_BATCH);
      try {
        const res = await this.o.userService.post('/internal/activity', { body: { pseudos: batch } });
        if (res.status >= 300) this.o.logger.warn({ status: res.status, dropped: batch.length }, 'activity batch refused by user-service');
      } catch (err) {
        this.o.logger.warn({ err: (err as Error).message, dropped: batch.length }, 'activity batch dropped: user-service unreachable');
      }
    }
  }

  /** Shutdown: stop the timer and deliver what is left. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
