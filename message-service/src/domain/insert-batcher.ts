import { ServiceUnavailableError } from '@canaduck/errors';

/**
 * Group commit for posts. Up to `maxInFlight` batches run at once; posts that arrive while they
 * are all busy wait in a queue and leave together, as one batch, when a batch finishes. Under
 * light load every post is its own batch at once (no added wait); under heavy load one
 * transaction, one commit and a few round trips carry many posts, which is where the time of a
 * write goes.
 *
 * A failed batch is retried row by row, so one bad row never fails its neighbours. What a batch
 * is (one transaction: the messages and their events) is the caller's `insertMany`.
 */
export interface InsertBatcherOptions<T> {
  /** Inserts the rows atomically (one transaction) and answers their ids, in the same order. */
  insertMany(rows: T[]): Promise<number[]>;
  /** Statements running at once (below the connection pool's size, so reads are not starved). */
  maxInFlight: number;
  /** Rows per statement at most. */
  maxBatch: number;
  /** Posts waiting at most (INSERT_QUEUE_MAX); past it a post is refused at once with a 503. */
  maxQueue: number;
}

interface Pending<T> {
  row: T;
  /** False once the request's answer is gone (its deadline answered 503): the row is then never written. */
  wanted: () => boolean;
  resolve(id: number): void;
  reject(err: unknown): void;
}

/** 503 insert_queue_full with Retry-After: the queue is bounded, so memory and latency are too. */
export const queueFull = () =>
  new ServiceUnavailableError('too many messages waiting to be written: retry in a second', 'insert_queue_full', 1);

/** A post dropped because its request was answered (503 request_timeout) before it could be written. */
export const postExpired = () =>
  new ServiceUnavailableError('the request deadline passed before the message was written', 'request_timeout');

export class InsertBatcher<T> {
  private readonly queue: Array<Pending<T>> = [];

  private inFlight = 0;

  constructor(private readonly o: InsertBatcherOptions<T>) {}

  /** `wanted` is asked when the batch leaves: a post whose caller already got its 503 is dropped, never written late. */
  insert(row: T, wanted: () => boolean = () => true): Promise<number> {
    if (this.queue.length >= this.o.maxQueue) return Promise.reject(queueFull());
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ row, wanted, resolve, reject });
      this.pump();
    });
  }

  /** Posts waiting for a statement (for tests and diagnostics). */
  get waiting(): number {
    return this.queue.length;
  }

  private pump(): void {
    while (this.inFlight < this.o.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.o.maxBatch).filter((p) => {
        if (p.wanted()) return true;
        p.reject(postExpired());
        return false;
      });
      if (batch.length === 0) continue;
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async run(batch: Array<Pending<T>>): Promise<void> {
    try {
      const ids = await this.o.insertMany(batch.map((p) => p.row));
      batch.forEach((p, i) => p.resolve(ids[i]));
    } catch (err) {
      if (batch.length === 1) {
        batch[0].reject(err);
        return;
      }
      // Each row on its own: the others are stored, only the row at fault fails.
      await Promise.all(
        batch.map((p) =>
          this.o.insertMany([p.row]).then(
            (ids) => p.resolve(ids[0]),
            (e: unknown) => p.reject(e),
          ),
        ),
      );
    }
  }
}
