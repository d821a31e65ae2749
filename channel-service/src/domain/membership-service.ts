import { ConflictError, ForbiddenError, NotFoundError } from '@canaduck/errors';
import { audit, type Logger } from '@canaduck/logging';
import type { Knex } from '@canaduck/db';
import { pseudoKey } from '@canaduck/service-kit';
import type { UserClient } from '../clients/user-client';
import {
  addInvite,
  addMember,
  findBan,
  findInvite,
  findMember,
  removeBan,
  removeInvite,
  removeMember,
  setMemberRole,
  upsertBan,
} from '../repositories/roster-repository';
import { type Actor, isOwner, loadForActor, requireOwner, requireStaff } from './channel-policy';

export interface Result {
  result: string;
}

function notMember(pseudo: string, channel: string): NotFoundError {
  return new NotFoundError(`${pseudo} is not a member of #${channel}`, 'not_member');
}

/** Membership and local moderation: join, part, invite, ban, kick, moderators. */
export class MembershipService {
  constructor(
    private readonly knex: Knex,
    private readonly logger: Logger,
    private readonly users: UserClient,
  ) {}

  /** Refused when banned (even for admins: they may lift the ban) or, on +i, when not invited (admins pass). */
  async join(rawName: string, actor: Actor): Promise<Result> {
    return this.knex.transaction(async (trx) => {
      const { channel, member } = await loadForActor(trx, rawName, actor);
      if (member) return { result: `${actor.pseudo} is already a member of #${channel.name}` };
      if (await findBan(trx, channel.pk, actor.key)) throw new ForbiddenError(`you are banned from #${channel.name}`, 'banned');
      const invited = await findInvite(trx, channel.pk, actor.key);
      if (channel.modes.i && !invited && !actor.admin) {
        throw new ForbiddenError(`#${channel.name} is invite-only: ask its owner or a moderator for an invitation`, 'invite_required');
      }
      await addMember(trx, channel.pk, actor.pseudo, 'member', Date.now());
      // An invitation is used up by the join, as on IRC.
      if (invited) await removeInvite(trx, channel.pk, actor.key);
      return { result: `${actor.pseudo} joined #${channel.name}` };
    });
  }

  /** The owner cannot part (the channel would be left without one): they delete it instead. */
  async part(rawName: string, actor: Actor): Promise<Result> {
    return this.knex.transaction(async (trx) => {
      const { channel, member } = await loadForActor(trx, rawName, actor);
      if (!member) throw notMember(actor.pseudo, channel.name);
      if (member.role === 'owner') {
        throw new ConflictError(`the owner cannot part #${channel.name}: delete the channel instead`, 'owner_cannot_part');
      }
      await removeMember(trx, channel.pk, actor.key);
      return { result: `${actor.pseudo} left #${channel.name}` };
    });
  }

  /** Owner and moderators; the user must exist in user-service (asked last: local refusals cost nothing). */
  async invite(rawName: string, actor: Actor, pseudo: string, requestId?: string): Promise<Result> {
    const key = pseudoKey(pseudo);
    const ctx = await loadForActor(this.knex, rawName, actor);
    requireStaff(ctx, actor, 'invite');
    const { channel } = ctx;
    if (await findMember(this.knex, channel.pk, key))
      throw new ConflictError(`${pseudo} is already a member of #${channel.name}`, 'already_member');
    if (await findBan(this.knex, channel.pk, key)) {
      throw new ConflictError(`${pseudo} is banned from #${channel.name}: lift the ban first`, 'banned');
    }
    const user = await this.users.require(pseudo, requestId);
    await addInvite(this.knex, channel.pk, user.pseudo, actor.pseudo, Date.now());
    audit(this.logger, 'channel.invited', { channel: channel.name, pseudo: user.pseudo, by: actor.pseudo });
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
    const name = await this.knex.transaction(async (trx) => {
      const ctx = await loadForActor(trx, rawName, actor);
      requireStaff(ctx, actor, 'ban');
      const target = await findMember(trx, ctx.channel.pk, key);
      if (target?.role === 'owner' || ctx.channel.owner.toLowerCase() === key) {
        throw new ForbiddenError(`the owner of #${ctx.channel.name} cannot be banned`, 'cannot_ban_owner');
      }
      if (target?.role === 'moderator' && !isOwner(ctx, actor)) {
        throw new ForbiddenError(`only the owner may ban a moderator of #${ctx.channel.name}`, 'cannot_ban_moderator');
      }
      await upsertBan(trx, ctx.channel.pk, { pseudo: target?.pseudo ?? pseudo, reason, by: actor.pseudo, at: Date.now() });
      await removeMember(trx, ctx.channel.pk, key);
      await removeInvite(trx, ctx.channel.pk, key);
      return ctx.channel.name;
    });
    audit(this.logger, 'channel.banned', { channel: name, pseudo, reason, by: actor.pseudo });
    return { result: `${pseudo} banned from #${name}` };
  }

  async unban(rawName: string, actor: Actor, pseudo: string): Promise<Result> {
    const ctx = await loadForActor(this.knex, rawName, actor);
    requireStaff(ctx, actor, 'lift bans');
    if (!(await removeBan(this.knex, ctx.channel.pk, pseudoKey(pseudo)))) {
      throw new NotFoundError(`${pseudo} is not banned from #${ctx.channel.name}`, 'not_banned');
    }
    audit(this.logger, 'channel.unbanned', { channel: ctx.channel.name, pseudo, by: actor.pseudo });
    return { result: `${pseudo} may join #${ctx.channel.name} again` };
  }

  /** Same hierarchy as bans: nobody kicks the owner, only the owner (or an admin) kicks a moderator. */
  async kick(rawName: string, actor: Actor, pseudo: string, reason: string): Promise<Result> {
    const key = pseudoKey(pseudo);
    const name = await this.knex.transaction(async (trx) => {
      const ctx = await loadForActor(trx, rawName, actor);
      requireStaff(ctx, actor, 'kick');
      const target = await findMember(trx, ctx.channel.pk, key);
      if (!target) throw notMember(pseudo, ctx.channel.name);
      if (target.role === 'owner') throw new ForbiddenError(`the owner of #${ctx.channel.name} cannot be kicked`, 'cannot_kick_owner');
      if (target.role === 'moderator' && !isOwner(ctx, actor) && key !== actor.key) {
        throw new ForbiddenError(`only the owner may kick a moderator of #${ctx.channel.name}`, 'cannot_kick_moderator');
      }
      await removeMember(trx, ctx.channel.pk, key);
      return ctx.channel.name;
    });
    audit(this.logger, 'channel.kicked', { channel: name, pseudo, reason, by: actor.pseudo });
    return { result: `${pseudo} kicked from #${name}` };
  }

  /** Owner only; the new moderator must already be a member (404 otherwise). */
  async addModerator(rawName: string, actor: Actor, pseudo: string): Promise<Result> {
    const key = pseudoKey(pseudo);
    const name = await this.knex.transaction(async (trx) => {
      const ctx = await loadForActor(trx, rawName, actor);
      requireOwner(ctx, actor, 'name moderators');
      const target = await findMember(trx, ctx.channel.pk, key);
      if (!target) throw notMember(pseudo, ctx.channel.name);
      if (target.role === 'owner') throw new ConflictError(`${pseudo} is the owner of #${ctx.channel.name}`, 'already_owner');
      await setMemberRole(trx, ctx.channel.pk, key, 'moderator');
      return ctx.channel.name;
    });
    audit(this.logger, 'channel.moderator_added', { channel: name, pseudo, by: actor.pseudo });
    return { result: `${pseudo} is a moderator of #${name}` };
  }

  /** Owner only; the former moderator stays a member. */
  async removeModerator(rawName: string, actor: Actor, pseudo: string): Promise<Result> {
    const key = pseudoKey(pseudo);
    const name = await this.knex.transaction(async (trx) => {
      const ctx = await loadForActor(trx, rawName, actor);
      requireOwner(ctx, actor, 'remove moderators');
      const target = await findMember(trx, ctx.channel.pk, key);
      if (target?.role !== 'moderator') throw new NotFoundError(`${pseudo} is not a moderator of #${ctx.channel.name}`, 'not_moderator');
      await setMemberRole(trx, ctx.channel.pk, key, 'member');
      return ctx.channel.name;
    });
    audit(this.logger, 'channel.moderator_removed', { channel: name, pseudo, by: actor.pseudo });
    return { result: `${pseudo} is no longer a moderator of #${name}` };
  }
}
