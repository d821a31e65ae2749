import type { EventSubscription, EventTransport, StreamEvent } from '@canaduck/events';
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
  private subscription: EventSubscription | undefined;
  private starting: Promise<void> | undefined;

  constructor(private readonly deps: AccountDeletionFollowerDeps) {}

  start(): Promise<void> {
    this.starting ??= (async () => {
      const after = await this.deps.deletion.appliedThrough();
      this.subscription = this.deps.transport.subscribe({
        service: 'user',
        after,
        handler: async (events) => {
          await this.apply(events);
        },
        onResync: (info) => {
          // Deletions pruned before they were applied: those accounts stay in their channels.
          this.deps.logger.error(
            { ...info, after },
            'user events beyond retention were never applied: deleted accounts may remain in channels',
          );
        },
      });
    })();
    return this.starting;
  }

  /** Stops following; waits for the batch in flight (its transaction) to finish. */
  async stop(): Promise<void> {
    const starting = this.starting;
    this.starting = undefined;
    await starting?.catch(() => undefined);
    await this.subscription?.stop();
    this.subscription = undefined;
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
