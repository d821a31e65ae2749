import { z } from 'zod';
import type { ChannelRole } from '@canaduck/contracts';
import type { Knex, Transactor } from '@canaduck/db';
import type { StreamEvent } from '@canaduck/events';
import { audit, type Logger } from '@canaduck/logging';
import { pseudoKey } from '@canaduck/service-kit';
import type { ChannelRepository, ChannelRow } from '../repositories/channel-repository';
import type { InviteRepository } from '../repositories/invite-repository';
import type { MemberRepository } from '../repositories/member-repository';
import type { StreamCursorRepository } from '../repositories/stream-cursor-repository';
import type { ChannelEvents } from './channel-events';

/** The part of `user.deleted`'s data read here (asyncapi.yaml). */
const deletedUserSchema = z.object({ pseudo: z.string().min(1) });

export interface AccountDeletionDeps {
  channels: ChannelRepository;
  members: MemberRepository;
  invites: InviteRepository;
  /** How far the user stream has been applied. */
  cursors: StreamCursorRepository;
  events: ChannelEvents;
  db: Transactor;
  logger: Logger;
}

/** What one account deletion did to the channels. */
export interface DeletionOutcome {
  pseudo: string;
  /** Channels the pseudo left (a part event each). */
  parted: string[];
  /** Channels whose ownership passed to someone else. */
  handedOver: string[];
  /** Channels deleted because nobody was left in them. */
  deleted: string[];
}

/**
 * What an account deletion (user-service's `user.deleted`) means for the channels: the pseudo
 * leaves each channel it is in, as a part (so IRC and realtime see it go, and a moderator loses
 * the role); a channel it owned passes to the longest-standing moderator, else the
 * longest-standing member, and one left empty is deleted as `DELETE /channel/<name>` would. Its
 * pending invitations go; bans naming it stay (a deleted pseudo is never registered again).
 * Every event says `by: null`: the system acted.
 */
export class AccountDeletion {
  constructor(private readonly deps: AccountDeletionDeps) {}

  /** The seq of the last user event applied (stored). */
  appliedThrough(): Promise<number> {
    return this.deps.cursors.read('user');
  }

  /**
   * Applies a batch of the user stream and the cursor after it in ONE transaction: a crash leaves
   * both or neither, and events at or below the stored cursor (a redelivery, a restart, another
   * replica that got there first) are skipped, so each deletion is applied once.
   */
  async applyUserEvents(events: StreamEvent[]): Promise<DeletionOutcome[]> {
    const outcomes = await this.deps.db.transaction(async (trx) => {
      const stored = await this.deps.cursors.readForUpdate('user', trx);
      const fresh = events.filter((e) => e.seq > stored).sort((a, b) => a.seq - b.seq);
      if (fresh.length === 0) return [];
      const done: DeletionOutcome[] = [];
      for (const e of fresh) {
        if (e.type !== 'user.deleted') continue;
        const data = deletedUserSchema.safeParse(e.data);
        if (data.success) done.push(await this.removeFromChannels(data.data.pseudo, trx));
        else this.deps.logger.warn({ seq: e.seq, data: e.data }, 'user.deleted without a pseudo: skipped');
      }
      await this.deps.cursors.save('user', fresh[fresh.length - 1].seq, trx);
      return done;
    });
    if (outcomes.length > 0) this.deps.events.committed();
    for (const o of outcomes) this.audited(o);
    return outcomes;
  }

  /** Inside the caller's transaction. Applying it again finds nothing left to do and writes nothing. */
  private async removeFromChannels(pseudo: string, trx: Knex.Transaction): Promise<DeletionOutcome> {
    const key = pseudoKey(pseudo);
    const outcome: DeletionOutcome = { pseudo, parted: [], handedOver: [], deleted: [] };
    for (const m of await this.deps.channels.membershipRowsOf(key, trx)) {
      if (m.role === 'owner') await this.leaveOwned(m.channel, m.pseudo, trx, outcome);
      else await this.part(m.channel, m.pseudo, m.role, trx, outcome);
    }
    await this.deps.invites.removeAllOf(key, trx);
    return outcome;
  }

  /** Audit lines for what a committed deletion changed. */
  private audited(o: DeletionOutcome): void {
    const { logger } = this.deps;
    if (o.parted.length + o.deleted.length > 0) logger.info({ ...o }, 'deleted account removed from its channels');
    for (const channel of o.handedOver)
      audit(logger, 'channel.owner_changed', { channel, previous_owner: o.pseudo, reason: 'account deleted' });
    for (const channel of o.deleted) audit(logger, 'channel.deleted', { channel, by: null, reason: 'account deleted' });
  }

  /** The owner hands over first (the owner never parts), then parts as a plain member. */
  private async leaveOwned(channel: ChannelRow, owner: string, trx: Knex.Transaction, outcome: DeletionOutcome): Promise<void> {
    const successor = await this.deps.members.successorOf(channel.pk, pseudoKey(owner), trx);
    if (!successor) {
      await this.deps.channels.delete(channel.pk, trx);
      await this.deps.events.append(trx, channel, null, { type: 'channel.deleted', fields: {} });
      outcome.deleted.push(channel.name);
      return;
    }
    await this.deps.members.setRole(channel.pk, successor.key, 'owner', trx);
    await this.deps.channels.setOwner(channel.pk, successor.pseudo, trx);
    await this.deps.events.append(trx, channel, null, {
      type: 'channel.owner_changed',
      fields: { owner: successor.pseudo, previous_owner: owner },
    });
    outcome.handedOver.push(channel.name);
    await this.part(channel, owner, 'member', trx, outcome);
  }

  private async part(
    channel: ChannelRow,
    pseudo: string,
    role: Exclude<ChannelRole, 'owner'>,
    trx: Knex.Transaction,
    outcome: DeletionOutcome,
  ): Promise<void> {
    if (!(await this.deps.members.remove(channel.pk, pseudoKey(pseudo), trx))) return;
    await this.deps.events.append(trx, channel, null, {
      type: 'channel.member_parted',
      fields: { pseudo, role, reason: 'Account deleted' },
    });
    outcome.parted.push(channel.name);
  }
}
