import type { ChannelAccess } from '@canaduck/contracts';
import { ForbiddenError, NotFoundError } from '@canaduck/errors';
import { normalizeChannel } from '@canaduck/service-kit';
import { type ChannelRow, type Db, findChannel } from '../repositories/channel-repository';
import { findMember, type Member, type MemberRole } from '../repositories/roster-repository';

/** Who is acting: from a verified user token. Global admins may do all an owner may. */
export interface Actor {
  pseudo: string;
  key: string;
  admin: boolean;
}

/** The decision part of the access answer (@canaduck/contracts' ChannelAccess without the channel's name and id). */
export type Access = Omit<ChannelAccess, 'channel' | 'channel_id'>;

/** A channel anyone may read and see listed: neither invite-only nor secret. */
export function isPublic(c: ChannelRow): boolean {
  return !c.modes.i && !c.modes.s;
}

/** The policy of structures.md section 5, in one place (the internal access route and the public reads use it). */
export function decideAccess(channel: ChannelRow, role: MemberRole | null, banned: boolean, admin: boolean): Access {
  const member = role !== null;
  const staff = role === 'owner' || role === 'moderator' || admin;
  const canRead = !banned && (isPublic(channel) || member || admin);
  const mayPostFromOutside = !channel.modes.n && isPublic(channel);
  const canPost = canRead && (member || mayPostFromOutside || admin) && (!channel.modes.r || staff);
  return {
    exists: true,
    private: channel.modes.i,
    secret: channel.modes.s,
    member,
    banned,
    role,
    can_read: canRead,
    can_post: canPost,
    can_moderate: staff,
  };
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

export function notFound(name: string): NotFoundError {
  return new NotFoundError(`channel #${name} not found`, 'channel_not_found');
}

/** A channel named in a URL; a name that breaks the rules cannot exist, so it is a 404 too. */
export async function requireChannel(db: Db, rawName: string): Promise<ChannelRow> {
  const name = normalizeChannel(rawName);
  const channel = name ? await findChannel(db, name) : undefined;
  if (!channel) throw notFound(name ?? rawName);
  return channel;
}

export interface ActorContext {
  channel: ChannelRow;
  member: Member | undefined;
}

export async function loadForActor(db: Db, rawName: string, actor: Actor): Promise<ActorContext> {
  const channel = await requireChannel(db, rawName);
  return { channel, member: await findMember(db, channel.pk, actor.key) };
}

/**
 * Reads of a channel's users and config. Public channels: anyone, even anonymous.
 * Invite-only: members and admins, 403 for others. Secret: members and admins,
 * 404 for others, exactly as if it did not exist (secret hides existence).
 */
export async function requireReadable(db: Db, rawName: string, actor: Actor | undefined): Promise<ChannelRow> {
  const channel = await requireChannel(db, rawName);
  if (isPublic(channel) || actor?.admin) return channel;
  const member = actor ? await findMember(db, channel.pk, actor.key) : undefined;
  if (member) return channel;
  if (channel.modes.s) throw notFound(channel.name);
  throw new ForbiddenError(`#${channel.name} is private: only its members may see it`, 'channel_private');
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
