import { decideChannelAccess, type AccessDecision } from '@canaduck/contracts';
import { ForbiddenError, NotFoundError } from '@canaduck/errors';
import type { ChannelRow } from '../repositories/channel-repository';
import type { Member, MemberRole } from '../repositories/member-repository';

/** Who is acting: from a verified user token. Global admins may do all an owner may. */
export interface Actor {
  pseudo: string;
  key: string;
  admin: boolean;
}

export type Access = AccessDecision;

/** A channel anyone may read and see listed: neither invite-only nor secret. */
export function isPublic(c: ChannelRow): boolean {
  return !c.modes.i && !c.modes.s;
}

/** The policy of structures.md section 5 (the internal access route and the public reads use it). */
export function decideAccess(channel: ChannelRow, role: MemberRole | null, banned: boolean, admin: boolean): Access {
  return decideChannelAccess(channel.modes, role, banned, admin);
}

export const NO_ACCESS: Access = {
  exists: false,
  private: false,
  secret: false,
  member: false,
  banned: false,
  role: null,
  can_read: false,
  can_post: false,
  can_moderate: false,
};

export interface ActorContext {
  channel: ChannelRow;
  member: Member | undefined;
}

export function notFound(name: string): NotFoundError {
  return new NotFoundError(`channel #${name} not found`, 'channel_not_found');
}

export function isStaff(ctx: ActorContext, actor: Actor): boolean {
  return actor.admin || ctx.member?.role === 'owner' || ctx.member?.role === 'moderator';
}

export function isOwner(ctx: ActorContext, actor: Actor): boolean {
  return actor.admin || ctx.member?.role === 'owner';
}

export function requireStaff(ctx: ActorContext, actor: Actor, what: string): void {
  if (!isStaff(ctx, actor)) throw new ForbiddenError(`only the owner and moderators of #${ctx.channel.name} may ${what}`, 'not_moderator');
}

export function requireOwner(ctx: ActorContext, actor: Actor, what: string): void {
  if (!isOwner(ctx, actor)) throw new ForbiddenError(`only the owner of #${ctx.channel.name} may ${what}`, 'not_owner');
}
