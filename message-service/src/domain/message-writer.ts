import type { InsertIds, MessageRepository, NewMessage } from '../repositories/message-repository';
import { InsertBatcher } from './insert-batcher';

/** Group commit: INSERT statements running at once (the pool holds 10 connections). */
const INSERTS_IN_FLIGHT = 4;

export interface MessageWriterDeps {
  messages: MessageRepository;
  /** Rows per INSERT at most under concurrent posts (MESSAGE_INSERT_BATCH; 1: no group commit). */
  insertBatch: number;
}

/**
 * Writes new messages. On MySQL, concurrent posts share statements (group commit, insert-batcher.ts)
 * when the server numbers a multi-row INSERT's rows consecutively; elsewhere each post is its own
 * autocommit INSERT.
 */
export class MessageWriter {
  private batcher?: Promise<InsertBatcher<NewMessage> | null>;

  constructor(private readonly deps: MessageWriterDeps) {}

  async insert(m: NewMessage): Promise<number> {
    // A failed look-up (database down) is asked again by the next post, never remembered.
    this.batcher ??= this.createBatcher().catch((err: unknown) => {
      this.batcher = undefined;
      throw err;
    });
    const batcher = await this.batcher;
    return batcher ? batcher.insert(m) : this.deps.messages.insert(m);
  }

  private async createBatcher(): Promise<InsertBatcher<NewMessage> | null> {
    if (this.deps.insertBatch <= 1) return null;
    const ids: InsertIds | null = await this.deps.messages.insertIdStep();
    if (ids === null) return null;
    return new InsertBatcher<NewMessage>({
      insertMany: (batch) => this.deps.messages.insertMany(batch, ids.step),
      maxInFlight: INSERTS_IN_FLIGHT,
      maxBatch: this.deps.insertBatch,
    });
  }
}
