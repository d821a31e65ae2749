import { CursorFollower, type EventTransport, type StreamEvent } from '@canaduck/events';
import type { Logger } from '@canaduck/logging';
import type { AccountDeletion, DeletionOutcome } from '../domain/account-deletion';

export interface AccountDeletionFollowerDeps {
  /** The user stream: user-service's feed (with channel-service's service token), or NATS when NATS_URL is set. */
  transport: EventTransport;
  /** Applies each batch with its cursor in one transaction. */
  deletion: AccountDeletion;
  logger: Logger;
}

/**
 * A background worker (runService starts and stops it) that follows the user stream from the
 * cursor stored in `stream_cursors` and hands each batch to AccountDeletion. A stream that cannot
 * be reached is retried by the transport (with backoff), never fatal: the channel routes do not
 * depend on it. A batch that fails (a database error) comes again.
 */
export class AccountDeletionFollower {
  private readonly follower: CursorFollower;

  constructor(private readonly deps: AccountDeletionFollowerDeps) {
    this.follower = new CursorFollower({
      transport: deps.transport,
      service: 'user',
      storedCursor: () => this.appliedThrough(),
      handle: (events) => this.apply(events),
      // Deletions pruned before they were applied: those accounts stay in their channels.
      resyncMessage: 'user events beyond retention were never applied: deleted accounts may remain in channels',
      logger: deps.logger,
    });
  }

  start(): Promise<void> {
    return this.follower.start();
  }

  /** Stops following; waits for the batch in flight (its transaction) to finish. */
  stop(): Promise<void> {
    return this.follower.stop();
  }

  /** What the subscription does with each batch (a batch at or below the stored cursor changes nothing). */
  apply(events: StreamEvent[]): Promise<DeletionOutcome[]> {
    return this.deps.deletion.applyUserEvents(events);
  }

  /** The seq of the last user event applied (stored). */
  appliedThrough(): Promise<number> {
    return this.deps.deletion.appliedThrough();
  }
}
