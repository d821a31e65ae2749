import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import type { Transactor } from './database';

/**
 * MySQL/MariaDB codes of a transaction the server chose to abort because of lock contention:
 * a deadlock victim, or a lock wait that ran out. The transaction was rolled back whole, so
 * running it again is safe and is what the server expects the client to do.
 */
const RETRYABLE_CODES = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);
const RETRYABLE_ERRNOS = new Set([1213, 1205]);

export function isLockConflict(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const { code, errno } = err as { code?: unknown; errno?: unknown };
  return (typeof code === 'string' && RETRYABLE_CODES.has(code)) || (typeof errno === 'number' && RETRYABLE_ERRNOS.has(errno));
}

export interface DeadlockRetryOptions {
  /** How many times a transaction runs at most (the first run included). */
  attempts?: number;
  /** The longest random pause before a new run, so that the two victims do not collide again. */
  maxBackoffMs?: number;
}

/**
 * A Transactor whose `transaction(fn)` runs `fn` again when the database aborts it as a deadlock
 * victim or on a lock-wait timeout: the caller's answer is then the retried run's, never a 500.
 * The work passed in must only touch the database through `trx` (it may run more than once).
 * Other uses of `transaction` (without a function) go to knex unchanged.
 */
export function retryingTransactor(knex: Knex, options: DeadlockRetryOptions = {}): Transactor {
  const attempts = Math.max(1, options.attempts ?? 4);
  const maxBackoffMs = options.maxBackoffMs ?? 50;
  const transaction = async (fn: unknown, config?: unknown) => {
    if (typeof fn !== 'function') return (knex.transaction as (...a: unknown[]) => unknown)(fn, config);
    for (let attempt = 1; ; attempt++) {
      try {
        return await knex.transaction(fn as (trx: Knex.Transaction) => Promise<unknown>, config as Knex.TransactionConfig);
      } catch (err) {
        if (attempt >= attempts || !isLockConflict(err)) throw err;
        await sleep(Math.floor(Math.random() * maxBackoffMs * attempt));
      }
    }
  };
  return { transaction: transaction as unknown as Knex['transaction'] };
}
