import { audit, type Logger } from '@canaduck/logging';
import type { GuestService } from './guest-service';

/** Leases read per batch, and batches per sweep at most: the rest wait for the next sweep. */
const BATCH = 100;
const MAX_BATCHES_PER_SWEEP = 10;
/** A sweep every half grace, at most every minute and at least every second. */
const MAX_EVERY_MS = 60_000;
const MIN_EVERY_MS = 1_000;

export interface OrphanGuestSweeperDeps {
  guests: Pick<GuestService, 'deleteOrphans'>;
  logger: Logger;
  /** GUEST_ORPHAN_AFTER_S in ms: how long past its lease a guest may wait for a door; 0 never sweeps. */
  graceMs: number;
}

/**
 * Removes the guests no door is left to remove. A door renews its guests' leases and claims the
 * expired guests of dead doors; when every door is gone for good, expired guests would stay for
 * ever (whois, channel members). This worker deletes those whose lease has been over for the
 * grace, through the guest deletion a door uses (its user.deleted makes channel-service part
 * them). Every replica may run it: each guest is deleted once (GuestService.deleteOrphans).
 */
export class OrphanGuestSweeper {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<string[]> | undefined;

  constructor(private readonly deps: OrphanGuestSweeperDeps) {}

  start(): void {
    if (this.timer || this.deps.graceMs <= 0) return;
    const everyMs = Math.max(MIN_EVERY_MS, Math.min(MAX_EVERY_MS, this.deps.graceMs / 2));
    this.timer = setInterval(() => void this.sweep(), everyMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a sweep in flight (its transaction) to finish. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping;
  }

  /** One sweep now (joined when one is already running; tests call it); never throws. Answers the pseudos deleted. */
  sweep(): Promise<string[]> {
    this.sweeping ??= this.sweepOnce().finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  /** Batch after batch until one comes back short or the bound is reached; logs what it deleted, once. */
  private async sweepOnce(): Promise<string[]> {
    const { guests, logger, graceMs } = this.deps;
    const deleted: string[] = [];
    // Turned off: expired guests wait for a door, however long.
    if (graceMs <= 0) return deleted;
    try {
      for (let batch = 0; batch < MAX_BATCHES_PER_SWEEP; batch++) {
        const result = await guests.deleteOrphans(graceMs, BATCH);
        deleted.push(...result.deleted);
        if (result.seen < BATCH) break;
      }
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'orphaned guests not swept');
    }
    if (deleted.length) audit(logger, 'orphaned_guests_deleted', { pseudos: deleted, after_s: graceMs / 1000 });
    return deleted;
  }
}
