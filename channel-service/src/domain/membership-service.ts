import { ConflictError, ForbiddenError, NotFoundError } from '@canaduck/errors';
import { audit } from '@canaduck/logging';
import type { Knex } from '@canaduck/db';
import { pseudoKey } from '@canaduck/service-kit';
import type { UserClient } from '../clients/user-client';
import { type Actor, isOwner, requireOwner, requireStaff } from './channel-policy';
import { ChannelLookup } from './channel-lookup';
import type { ChannelServiceDeps } from './channel-service';

export interface Result {
  result: string;
}

function notMember(pseudo: string, channel: string): NotFoundError {
  return new NotFoundError(`${pseudo} is not a member of #${channel}`, 'not_member');
}

/** ChannelService's repositories, events, database and clock, plus user-service for invitations. */
export interface MembershipServiceDeps extends ChannelServiceDeps {
  /** user-service: an invitation names a registered user. */
  users: UserClient;
}

/** Membership and local moderation: join, part, invite, ban, kick, moderators. */
export class MembershipService {
  private readonly lookup: ChannelLookup;

  constructor(private readonly deps: MembershipServiceDeps) {
    this.lookup = new ChannelLookup(deps);
  }

  /** Refused when banned (even for admins: they may lift the ban) or, on +i, when not invited (admins pass). */
  async join(rawName: string, actor: Actor): Promise<Result> {
    return this.committed(async (trx) => {
      const invitedTo = (pk: number) => this.deps.invites.exists(pk, actor.key, trx);
      const { channel, member } = await this.lookup.forActor(rawName, actor, trx, invitedTo);
      if (member) return { result: `${actor.pseudo} is already a member of #${channel.name}` };
      if (await this.deps.bans.exists(channel.pk, actor.key, trx))
        throw new ForbiddenError(`you are banned from #${channel.name}`, 'banned');
      const invited = await this.deps.invites.exists(channel.pk, actor.key, trx);
      if (channel.modes.i && !invited && !actor.admin) {
        throw new ForbiddenError(`#${channel.name} is invite-only: ask its owner or a moderator for an invitation`, 'invite_required');
      }
      // Lost to a concurrent join of the same pseudo: that one wrote the event.
      if (!(await this.deps.members.add(channel.pk, actor.pseudo, 'member', this.deps.now(), trx))) {
        return { result: `${actor.pseudo} is already a member of #${channel.name}` };
      }
      // An invitation is used up by the join, as on IRC.
      if (invited) await this.deps.invites.remove(channel.pk, actor.key, trx);
      await this.deps.events.append(trx, channel, actor.pseudo, {
        type: 'channel.member_joined',
        fields: { pseudo: actor.pseudo, role: 'member', invited },
      });
      return { result: `${actor.pseudo} joined #${channel.name}` };
    });
  }

  /** The owner cannot part (the channel would be left without one): they delete it instead. */
  async part(rawName: string, actor: Actor, reason = ''): Promise<Result> {
    return this.committed(async (trx) => {
      const { channel, member } = await this.lookup.forActor(rawName, actor, trx);
      if (!member) throw notMember(actor.pseudo, channel.name);
      if (member.role === 'owner') {
        throw new ConflictError(`the owner cannot part #${channel.name}: delete the channel instead`, 'owner_cannot_part');
      }
      if (await this.deps.members.remove(channel.pk, actor.key, trx)) {
        await this.deps.events.append(trx, channel, actor.pseudo, {
          type: 'channel.member_parted',
          fields: { pseudo: member.pseudo, role: member.role, reason },
        });
      }
      return { result: `${actor.pseudo} left #${channel.name}` };
    });
  }

  /** Owner and moderators; the user must exist in user-service (asked last: local refusals cost nothing). */
  async invite(rawName: string, actor: Actor, pseudo: string, requestId?: string): Promise<Result> {
    const key = pseudoKey(pseudo);
    const ctx = await this.lookup.forActor(rawName, actor);
    requireStaff(ctx, actor, 'invite');
    const { channel } = ctx;
    if (await this.deps.members.find(channel.pk, key))
      throw new ConflictError(`${pseudo} is already a member of #${channel.name}`, 'already_member');
    if (await this.deps.bans.exists(channel.pk, key)) {
      throw new ConflictError(`${pseudo} is banned from #${channel.name}: lift the ban first`, 'banned');
    }
    const user = await this.deps.users.require(pseudo, requestId);
    await this.committed(async (trx) => {
      // Inviting again refreshes who invited and when, but the invitation is no news.
      const renewed = await this.deps.invites.exists(channel.pk, key, trx);
      await this.deps.invites.add(channel.pk, user.pseudo, actor.pseudo, this.deps.now(), trx);
      if (!renewed)
        await this.deps.events.append(trx, channel, actor.pseudo, { type: 'channel.member_invited', fields: { pseudo: user.pseudo } });
    });
    audit(this.deps.logger, 'channel.invited', { channel: channel.name, pseudo: user.pseudo, by: actor.pseudo });
    return { result: `${user.pseudo} invited to #${channel.name}` };
  }

  /**
   * Owner and moderators. The owner can never be banned; a moderator can be
   * banned only by the owner or an admin. A ban removes the membership and the
   * invitation; banning again updates the reason. Pseudos are not checked with
   * user-service: a ban must work even for a name not (yet) registered.
   */
  async ban(rawName: string, actor: Actor, pseudo: string, reason: string): Promise<Result> {
    const key = pseudoKey(pseudo);
    const name = await this.committed(async (trx) => {
      const ctx = await this.lookup.forActor(rawName, actor, trx);
      requireStaff(ctx, actor, 'ban');
      const target = await this.deps.members.find(ctx.channel.pk, key, trx);
      if (target?.role === 'owner' || ctx.channel.owner.toLowerCase() === key) {
        throw new ForbiddenError(`the owner of #${ctx.channel.name} cannot be banned`, 'cannot_ban_owner');
      }
      if (target?.role === 'moderator' && !isOwner(ctx, actor)) {
        throw new ForbiddenError(`only the owner may ban a moderator of #${ctx.channel.name}`, 'cannot_ban_moderator');
      }
      const before = await this.deps.bans.find(ctx.channel.pk, key, trx);
      const banned = before?.pseudo ?? target?.pseudo ?? pseudo;
      await this.deps.bans.upsert(ctx.channel.pk, { pseudo: banned, reason, by: actor.pseudo, at: this.deps.now() }, trx);
      const wasMember = await this.deps.members.remove(ctx.channel.pk, key, trx);
      await this.deps.invites.remove(ctx.channel.pk, key, trx);
      // Banning again with the same reason changes nothing a consumer can see.
      if (!before || before.reason !== reason || wasMember) {
        await this.deps.events.append(trx, ctx.channel, actor.pseudo, {
          type: 'channel.member_banned',
          fields: { pseudo: banned, reason, was_member: wasMember },
        });
      }
      return ctx.channel.name;
    });
    audit(this.deps.logger, 'channel.banned', { channel: name, pseudo, reason, by: actor.pseudo });
    return { result: `${pseudo} banned from #${name}` };
  }

  async unban(rawName: string, actor: Actor, pseudo: string): Promise<Result> {
    const key = pseudoKey(pseudo);
    const ctx = await this.committed(async (trx) => {
      const ctx = await this.lookup.forActor(rawName, actor, trx);
      requireStaff(ctx, actor, 'lift bans');
      const ban = await this.deps.bans.find(ctx.channel.pk, key, trx);
      if (!ban || !(await this.deps.bans.remove(ctx.channel.pk, key, trx))) {
        throw new NotFoundError(`${pseudo} is not banned from #${ctx.channel.name}`, 'not_banned');
      }
      await this.deps.events.append(trx, ctx.channel, actor.pseudo, { type: 'channel.member_unbanned', fields: { pseudo: ban.pseudo } });
      return ctx;
    });
    audit(this.deps.logger, 'channel.unbanned', { channel: ctx.channel.name, pseudo, by: actor.pseudo });
    return { result: `${pseudo} may join #${ctx.channel.name} again` };
  }

  /** Same hierarchy as bans: nobody kicks the owner, only the owner (or an admin) kicks a moderator. */
  async kick(rawName: string, actor: Actor, pseudo: string, reason: string): Promise<Result> {
    const key = pseudoKey(pseudo);
    const name = await this.committed(async (trx) => {
      const ctx = await this.lookup.forActor(rawName, actor, trx);
      requireStaff(ctx, actor, 'kick');
      const target = await this.deps.members.find(ctx.channel.pk, key, trx);
      if (!target) throw notMember(pseudo, ctx.channel.name);
      if (target.role === 'owner') throw new ForbiddenError(`the owner of #${ctx.channel.name} cannot be kicked`, 'cannot_kick_owner');
      if (target.role === 'moderator' && !isOwner(ctx, actor) && key !== actor.key) {
        throw new ForbiddenError(`only the owner may kick a moderator of #${ctx.channel.name}`, 'cannot_kick_moderator');
      }
      if (await this.deps.members.remove(ctx.channel.pk, key, trx)) {
        await this.deps.events.append(trx, ctx.channel, actor.pseudo, {
          type: 'channel.member_kicked',
          fields: { pseudo: target.pseudo, role: target.role, reason },
        });
      }
      return ctx.channel.name;
    });
    audit(this.deps.logger, 'channel.kicked', { channel: name, pseudo, reason, by: actor.pseudo });
    return { result: `${pseudo} kicked from #${name}` };
  }

  /** Owner only; the new moderator must already be a member (404 otherwise). */
  async addModerator(rawName: string, actor: Actor, pseudo: string): Promise<Result> {
    const key = pseudoKey(pseudo);
    const name = await this.committed(async (trx) => {
      const ctx = await this.lookup.forActor(rawName, actor, trx);
      requireOwner(ctx, actor, 'name moderators');
      const target = await this.deps.members.find(ctx.channel.pk, key, trx);
      if (!target) throw notMember(pseudo, ctx.channel.name);
      if (target.role === 'owner') throw new ConflictError(`${pseudo} is the owner of #${ctx.channel.name}`, 'already_owner');
      // Naming a moderator again is harmless and writes nothing.
      if (target.role === 'member') {
        await this.deps.members.setRole(ctx.channel.pk, key, 'moderator', trx);
        await this.deps.events.append(trx, ctx.channel, actor.pseudo, {
          type: 'channel.moderator_added',
          fields: { pseudo: target.pseudo },
        });
      }
      return ctx.channel.name;
    });
    audit(this.deps.logger, 'channel.moderator_added', { channel: name, pseudo, by: actor.pseudo });
    return { result: `${pseudo} is a moderator of #${name}` };
  }

  /** Owner only; the former moderator stays a member. */
  async removeModerator(rawName: string, actor: Actor, pseudo: string): Promise<Result> {
    const key = pseudoKey(pseudo);
    const name = await this.committed(async (trx) => {
      const ctx = await this.lookup.forActor(rawName, actor, trx);
      requireOwner(ctx, actor, 'remove moderators');
      const target = await this.deps.members.find(ctx.channel.pk, key, trx);
      if (target?.role !== 'moderator') throw new NotFoundError(`${pseudo} is not a moderator of #${ctx.channel.name}`, 'not_moderator');
      await this.deps.members.setRole(ctx.channel.pk, key, 'member', trx);
      await this.deps.events.append(trx, ctx.channel, actor.pseudo, {
        type: 'channel.moderator_removed',
        fields: { pseudo: target.pseudo },
      });
      return ctx.channel.name;
    });
    audit(this.deps.logger, 'channel.moderator_removed', { channel: name, pseudo, by: actor.pseudo });
    return { result: `${pseudo} is no longer a moderator of #${name}` };
  }

  /** A change in its own transaction; once it has committed, its events are sequenced at once. */
  private async committed<T>(change: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    const result = await this.deps.db.transaction(change);
    this.deps.events.committed();
    return result;
  }
}
