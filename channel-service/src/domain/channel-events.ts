import type { ChannelEventData, ChannelEventName } from '@canaduck/contracts';
import type { Knex } from '@canaduck/db';
import type { Outbox } from '@canaduck/events';
import type { ChannelRow } from '../repositories/channel-repository';

/** One event of a change: its type and the fields of the change (the common ones are added). */
export type ChannelChange = {
  [T in ChannelEventName]: { type: T; fields: Omit<ChannelEventData<T>, 'channel' | 'channel_id' | 'by'> };
}[ChannelEventName];

export interface ChannelEventsDeps {
  outbox: Outbox;
  /** EventBackbone.poke: sequence what was just committed now rather than at the next poll. */
  poke: () => void;
}

/**
 * Writes channel-service's events (issue 22) into the outbox, in the transaction of the change
 * they describe, so that an event exists if and only if its change committed.
 */
export class ChannelEvents {
  constructor(private readonly deps: ChannelEventsDeps) {}

  /** Inside the change's transaction; call committed() once it has committed. */
  async append(
    trx: Knex.Transaction,
    channel: Pick<ChannelRow, 'name' | 'channelId'>,
    by: string | null,
    ...changes: ChannelChange[]
  ): Promise<void> {
    if (changes.length === 0) return;
    await this.deps.outbox.append(
      trx,
      changes.map((c) => ({
        type: c.type,
        data: { channel: channel.name, channel_id: channel.channelId, by, ...c.fields },
        // Lets a later change find (and scrub) the events of one channel.
        subject: `channel:${channel.channelId}`,
      })),
    );
  }

  /** After the commit of a change that may have appended events. */
  committed(): void {
    this.deps.poke();
  }
}
