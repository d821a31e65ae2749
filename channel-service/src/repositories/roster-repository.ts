import type { Paging } from '@canaduck/service-kit';
import type { Db } from './channel-repository';

/** The three per-channel pseudo lists: members (with their role), invitations and bans. */

export type MemberRole = 'owner' | 'moderator' | 'member';

export interface Member {
  pseudo: string;
  role: MemberRole;
}

export interface Invite {
  pseudo: string;
  by: string;
  at: number;
}

export interface Ban {
  pseudo: string;
  reason: string;
  by: string;
  at: number;
}

export async function findMember(db: Db, channelPk: number, pseudoKey: string): Promise<Member | undefined> {
  const row = (await db('channel_members').where({ channel_pk: channelPk, pseudo_key: pseudoKey }).first('pseudo', 'role')) as
    Member | undefined;
  return row ? { pseudo: row.pseudo, role: row.role } : undefined;
}

/** Adds a member; a concurrent second join of the same pseudo is a no-op. */
export async function addMember(db: Db, channelPk: number, pseudo: string, role: MemberRole, at: number): Promise<void> {
  await db('channel_members')
    .insert({ channel_pk: channelPk, pseudo_key: pseudo.toLowerCase(), pseudo, role, joined_at: at })
    .onConflict(['channel_pk', 'pseudo_key'])
    .ignore();
}

export async function removeMember(db: Db, channelPk: number, pseudoKey: string): Promise<boolean> {
  return (await db('channel_members').where({ channel_pk: channelPk, pseudo_key: pseudoKey }).del()) > 0;
}

export async function setMemberRole(db: Db, channelPk: number, pseudoKey: string, role: MemberRole): Promise<void> {
  await db('channel_members').where({ channel_pk: channelPk, pseudo_key: pseudoKey }).update({ role });
}

/** Members, owner first, then moderators, then everyone else, each group by pseudo. */
export async function listMembers(db: Db, channelPk: number, paging: Paging): Promise<Member[]> {
  return (await db('channel_members')
    .where('channel_pk', channelPk)
    .orderByRaw("CASE role WHEN 'owner' THEN 0 WHEN 'moderator' THEN 1 ELSE 2 END")
    .orderBy('pseudo_key')
    .offset(paging.offset)
    .limit(paging.limit)
    .select('pseudo', 'role')) as Member[];
}

export async function countMembers(db: Db, channelPk: number): Promise<number> {
  const row = (await db('channel_members').where('channel_pk', channelPk).count('* as n').first()) as { n: unknown } | undefined;
  return Number(row?.n ?? 0);
}

export async function moderatorsOf(db: Db, channelPk: number): Promise<string[]> {
  const rows = (await db('channel_members')
    .where({ channel_pk: channelPk, role: 'moderator' })
    .orderBy('pseudo_key')
    .select('pseudo')) as Array<{
    pseudo: string;
  }>;
  return rows.map((r) => r.pseudo);
}

export async function findInvite(db: Db, channelPk: number, pseudoKey: string): Promise<boolean> {
  return !!(await db('channel_invites').where({ channel_pk: channelPk, pseudo_key: pseudoKey }).first('pseudo_key'));
}

export async function addInvite(db: Db, channelPk: number, pseudo: string, by: string, at: number): Promise<void> {
  await db('channel_invites')
    .insert({ channel_pk: channelPk, pseudo_key: pseudo.toLowerCase(), pseudo, invited_by: by, invited_at: at })
    .onConflict(['channel_pk', 'pseudo_key'])
    .merge(['invited_by', 'invited_at']);
}

export async function removeInvite(db: Db, channelPk: number, pseudoKey: string): Promise<void> {
  await db('channel_invites').where({ channel_pk: channelPk, pseudo_key: pseudoKey }).del();
}

export async function listInvites(db: Db, channelPk: number): Promise<string[]> {
  const rows = (await db('channel_invites').where('channel_pk', channelPk).orderBy('pseudo_key').select('pseudo')) as Array<{
    pseudo: string;
  }>;
  return rows.map((r) => r.pseudo);
}

export async function findBan(db: Db, channelPk: number, pseudoKey: string): Promise<boolean> {
  return !!(await db('channel_bans').where({ channel_pk: channelPk, pseudo_key: pseudoKey }).first('pseudo_key'));
}

/** Bans, or updates the reason of an existing ban. */
export async function upsertBan(db: Db, channelPk: number, ban: Ban): Promise<void> {
  await db('channel_bans')
    .insert({
      channel_pk: channelPk,
      pseudo_key: ban.pseudo.toLowerCase(),
      pseudo: ban.pseudo,
      reason: ban.reason,
      banned_by: ban.by,
      banned_at: ban.at,
    })
    .onConflict(['channel_pk', 'pseudo_key'])
    .merge(['reason', 'banned_by', 'banned_at']);
}

export async function removeBan(db: Db, channelPk: number, pseudoKey: string): Promise<boolean> {
  return (await db('channel_bans').where({ channel_pk: channelPk, pseudo_key: pseudoKey }).del()) > 0;
}

export async function listBans(db: Db, channelPk: number): Promise<Ban[]> {
  const rows = (await db('channel_bans')
    .where('channel_pk', channelPk)
    .orderBy('banned_at')
    .orderBy('pseudo_key')
    .select('pseudo', 'reason', 'banned_by', 'banned_at')) as Array<Record<string, unknown>>;
  return rows.map((r) => ({ pseudo: String(r.pseudo), reason: String(r.reason), by: String(r.banned_by), at: Number(r.banned_at) }));
}
