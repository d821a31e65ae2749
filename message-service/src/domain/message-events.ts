import type { MessageEvent, MessageEventType } from '@canaduck/contracts';
import type { Knex } from '@canaduck/db';
import type { Outbox } from '@canaduck/events';
import { messageSubjectOf } from '../migrations/006-outbox-takes-over-events';

/** One event as the contract types it (@canaduck/contracts, structures.md section 5). */
export type MessageEventOf<T extends MessageEventType> = { type: T; data: Extract<MessageEvent, { type: T }>['data'] };

export interface MessageEventsDeps {
  outbox: Outbox;
  /** Wakes the sequencer after a commit (EventBackbone.poke). */
  poke: () => void;
}

/**
 * The message stream as the domain writes it: events typed by the contract, appended in the
 * caller's transaction with the subject `message:<id>` (so a deletion can scrub them), and a poke
 * after the commit so they are sequenced at once.
 */
export class MessageEvents {
  constructor(private readonly deps: MessageEventsDeps) {}

  async append(trx: Knex.Transaction, events: Array<MessageEventOf<MessageEventType>>): Promise<void> {
    await this.deps.outbox.append(
      trx,
      events.map((e) => ({ type: e.type, data: e.data, subject: messageSubjectOf(e.type, e.data) ?? undefined })),
    );
  }

  /** Removes a deleted message's text from every stored event about it (created, edited). */
  async scrubText(trx: Knex.Transaction, messageId: number): Promise<void> {
    await this.deps.outbox.scrub(trx, `message:${messageId}`, (data) =>
      data !== null && typeof data === 'object' && 'text' in data ? { ...data, text: '' } : data,
    );
  }

  /** After the commit of a transaction that appended events. */
  committed(): void {
    this.deps.poke();
  }
}
