import type { Knex } from '@canaduck/db';
import type { Outbox, UserEventType } from '@canaduck/events';

export interface UserEventsDeps {
  outbox: Outbox;
  /** The backbone's sequencer, woken once the transaction that wrote events commits. */
  backbone: { poke(): void };
}

/**
 * The user stream's writer: every change appends its events in its own transaction (transactional
 * outbox), so an event exists if and only if the change committed.
 */
export class UserEvents {
  constructor(private readonly deps: UserEventsDeps) {}

  async emit(trx: Knex.Transaction, ...events: Array<{ type: UserEventType; data: Record<string, unknown> }>): Promise<void> {
    if (events.length === 0) return;
    await this.deps.outbox.append(trx, events);
    // Sequenced as soon as it commits rather than at the sequencer's next poll.
    trx.executionPromise.then(
      () => this.deps.backbone.poke(),
      () => undefined,
    );
  }

  /**
   * The time of a revocation (revoked_before): the wall clock, the one that stamps the tokens'
   * iat, never a test's fixed clock.
   */
  revocationTime(): number {
    return Date.now();
  }
}

export const isoTime = (ms: number): string => new Date(ms).toISOString();
