import type { Transactor } from '@canaduck/db';
import type { MessageRepository, NewMessage } from '../repositories/message-repository';
import { InsertBatcher, postExpired, queueFull } from './insert-batcher';
import { isoTime } from './iso-time';
import type { MessageEvents } from './message-events';

/** Group commit: transactions running at once (the pool holds 10 connections, one is the sequencer's). */
const INSERTS_IN_FLIGHT = 4;

export interface MessageWriterDeps {
  messages: MessageRepository;
  events: MessageEvents;
  db: Transactor;
  /** Rows per INSERT at most under concurrent posts (MESSAGE_INSERT_BATCH; 1: no group commit). */
  insertBatch: number;
  /** Posts waiting for a statement at most (INSERT_QUEUE_MAX). */
  insertQueueMax: number;
}

/**
 * Writes new messages with their `message.created` events, in one transaction per statement. On
 * MySQL, concurrent posts share that transaction (group commit, insert-batcher.ts) when the server
 * numbers a multi-row INSERT's rows consecutively: one INSERT of the messages, one of their
 * events, one commit. Elsewhere each post is its own transaction.
 */
export class MessageWriter {
  private batcher?: Promise<InsertBatcher<NewMessage> | null>;

  constructor(private readonly deps: MessageWriterDeps) {}

  /**
   * `wanted` is false once the request has been answered (its deadline's 503): the post is then
   * dropped, never written after the client was told it failed (it would retry and duplicate it).
   */
  async insert(m: NewMessage, wanted: () => boolean = () => true): Promise<number> {
    // A failed look-up (database down) is asked again by the next post, never remembered.
    this.batcher ??= this.createBatcher().catch((err: unknown) => {
      this.batcher = undefined;
      throw err;
    });
    const batcher = await this.batcher;
    if (batcher) return batcher.insert(m, wanted);
    if (this.unbatched >= this.deps.insertQueueMax) throw queueFull();
    this.unbatched++;
    try {
      return (await this.insertWithEvents([m], 1, wanted))[0];
    } finally {
      this.unbatched--;
    }
  }

  /** Posts being written one by one (SQLite, or no group commit), bounded as the batcher's queue. */
  private unbatched = 0;

  private async createBatcher(): Promise<InsertBatcher<NewMessage> | null> {
    if (this.deps.insertBatch <= 1) return null;
    const ids = await this.deps.messages.insertIdStep();
    if (ids === null) return null;
    return new InsertBatcher<NewMessage>({
      insertMany: (batch) => this.insertWithEvents(batch, ids.step),
      maxInFlight: INSERTS_IN_FLIGHT,
      maxBatch: this.deps.insertBatch,
      maxQueue: this.deps.insertQueueMax,
    });
  }

  /** The rows and their events in one transaction: an event exists if and only if its message does. */
  private async insertWithEvents(rows: NewMessage[], step: number, wanted?: () => boolean): Promise<number[]> {
    const ids = await this.deps.db.transaction(async (trx) => {
      // Waited for a connection past the deadline: drop it (the transaction writes nothing).
      if (wanted && !wanted()) throw postExpired();
      const inserted = await this.deps.messages.insertMany(rows, step, trx);
      await this.deps.events.append(
        trx,
        rows.map((m, i) => ({
          type: 'message.created' as const,
          data: {
            id: inserted[i],
            channel: m.channel,
            channel_id: m.channelId,
            to: m.to,
            from: m.from,
            text: m.text,
            timestamp: isoTime(m.createdAt),
            reply_to: m.replyTo,
          },
        })),
      );
      return inserted;
    });
    this.deps.events.committed();
    return ids;
  }
}
