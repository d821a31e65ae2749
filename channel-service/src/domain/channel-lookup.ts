import { ForbiddenError } from '@canaduck/errors';
import type { Knex } from '@canaduck/db';
import { normalizeChannel } from '@canaduck/service-kit';
import type { ChannelRepository, ChannelRow } from '../repositories/channel-repository';
import type { MemberRepository } from '../repositories/member-repository';
import { type Actor, type ActorContext, isPublic, notFound } from './channel-policy';

export interface ChannelLookupDeps {
  channels: ChannelRepository;
  members: MemberRepository;
}

/** Finds the channel a request names, with what the caller is in it; each read joins the caller's transaction when given one. */
export class ChannelLookup {
  constructor(private readonly deps: ChannelLookupDeps) {}

  /** A channel named in a URL; a name that breaks the rules cannot exist, so it is a 404 too. */
  async require(rawName: string, trx?: Knex.Transaction): Promise<ChannelRow> {
    const name = normalizeChannel(rawName);
    const channel = name ? await this.deps.channels.find(name, trx) : undefined;
    if (!channel) throw notFound(name ?? rawName);
    return channel;
  }

  /**
   * The channel and the caller's membership, for writes. A secret channel answers non-members
   * (admins aside) exactly as an unknown channel, before any staff or membership check, so no
   * write route reveals that it exists. `invited` lets an invitation through (join).
   */
  async forActor(rawName: string, actor: Actor, trx?: Knex.Transaction, invited?: (pk: number) => Promise<boolean>): Promise<ActorContext> {
    const channel = await this.require(rawName, trx);
    const member = await this.deps.members.find(channel.pk, actor.key, trx);
    if (channel.modes.s && !member && !actor.admin && !(invited && (await invited(channel.pk)))) throw notFound(channel.name);
    return { channel, member };
  }

  /**
   * Reads of a channel's users and config. Public channels: anyone, even anonymous.
   * Invite-only: members and admins, 403 for others. Secret: members and admins,
   * 404 for others, exactly as if it did not exist (secret hides existence).
   */
  async readable(rawName: string, actor: Actor | undefined): Promise<ChannelRow> {
    const channel = await this.require(rawName);
    if (isPublic(channel) || actor?.admin) return channel;
    const member = actor ? await this.deps.members.find(channel.pk, actor.key) : undefined;
    if (member) return channel;
    if (channel.modes.s) throw notFound(channel.name);
    throw new ForbiddenError(`#${channel.name} is private: only its members may see it`, 'channel_private');
  }
}
