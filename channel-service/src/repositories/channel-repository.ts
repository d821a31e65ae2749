import type { Knex } from '@canaduck/db';
import type { Paging } from '@canaduck/service-kit';
import { MODE_LETTERS, type ModeSet } from '../domain/modes';

/** Either the pool or a transaction: repositories work inside both. */
export type Db = Knex | Knex.Transaction;

export interface ChannelRow {
  /** Internal row key, never shown. */
  pk: number;
  /** Public random id, new for every creation (structures.md 5). */
  channelId: string;
  name: string;
  topic: string;
  owner: string;
  modes: ModeSet;
  createdAt: number;
}

export interface ChannelSummaryRow extends ChannelRow {
  membersCount: number;
}

type RawChannel = Record<string, unknown>;

const CHANNEL_COLUMNS = [
  'c.id',
  'c.channel_id',
  'c.name',
  'c.topic',
  'c.owner',
  'c.mode_i',
  'c.mode_n',
  'c.mode_r',
  'c.mode_s',
  'c.mode_t',
  'c.created_at',
];

function modesFrom(raw: RawChannel): ModeSet {
  const modes = {} as ModeSet;
  // SQLite and MySQL both hand booleans back as 0/1.
  for (const l of MODE_LETTERS) modes[l] = Boolean(Number(raw[`mode_${l}`]));
  return modes;
}

function toChannel(raw: RawChannel): ChannelRow {
  return {
    pk: Number(raw.id),
    channelId: String(raw.channel_id),
    name: String(raw.name),
    topic: String(raw.topic),
    owner: String(raw.owner),
    modes: modesFrom(raw),
    createdAt: Number(raw.created_at),
  };
}

function modeColumns(modes: ModeSet): Record<string, boolean> {
  return Object.fromEntries(MODE_LETTERS.map((l) => [`mode_${l}`, modes[l]]));
}

/** `SELECT count(*)` of a channel's members, as a correlated sub-query (uses the primary key prefix). */
function membersCount(db: Db): Knex.QueryBuilder {
  return db('channel_members as m').count('*').whereRaw('m.channel_pk = c.id').as('members_count');
}

export async function findChannel(db: Db, name: string): Promise<ChannelRow | undefined> {
  const raw = (await db('channels as c').select(CHANNEL_COLUMNS).where('c.name', name).first()) as RawChannel | undefined;
  return raw ? toChannel(raw) : undefined;
}

export async function insertChannel(db: Db, c: Omit<ChannelRow, 'pk'>): Promise<number> {
  const [id] = await db('channels').insert({
    channel_id: c.channelId,
    name: c.name,
    topic: c.topic,
    owner: c.owner,
    ...modeColumns(c.modes),
    created_at: c.createdAt,
  });
  return Number(id);
}

export async function updateChannel(db: Db, pk: number, change: { topic?: string; modes?: ModeSet }): Promise<void> {
  const row: Record<string, unknown> = {};
  if (change.topic !== undefined) row.topic = change.topic;
  if (change.modes) Object.assign(row, modeColumns(change.modes));
  if (Object.keys(row).length > 0) await db('channels').where('id', pk).update(row);
}

/** Deletes the channel and everything hanging off it (explicitly, not trusting FK cascades alone). */
export async function deleteChannel(db: Db, pk: number): Promise<void> {
  for (const table of ['channel_members', 'channel_invites', 'channel_bans']) await db(table).where('channel_pk', pk).del();
  await db('channels').where('id', pk).del();
}

/** `LIKE` pattern for a literal substring: `%`, `_` and the escape character itself match only themselves. */
function containsPattern(q: string): string {
  return `%${q.replace(/[!%_]/g, (ch) => `!${ch}`)}%`;
}

/** Channels anyone may see listed: neither invite-only nor secret, by name. */
export async function listPublicChannels(db: Db, q: string | undefined, paging: Paging): Promise<ChannelSummaryRow[]> {
  const query = db('channels as c')
    .select([...CHANNEL_COLUMNS, membersCount(db)])
    .where({ 'c.mode_i': false, 'c.mode_s': false })
    .orderBy('c.name')
    .offset(paging.offset)
    .limit(paging.limit);
  if (q) query.whereRaw("c.name LIKE ? ESCAPE '!'", [containsPattern(q)]);
  const rows = (await query) as RawChannel[];
  return rows.map((r) => ({ ...toChannel(r), membersCount: Number(r.members_count) }));
}

export async function channelsByNames(db: Db, names: string[]): Promise<ChannelRow[]> {
  if (names.length === 0) return [];
  const rows = (await db('channels as c').select(CHANNEL_COLUMNS).whereIn('c.name', names).orderBy('c.name')) as RawChannel[];
  return rows.map(toChannel);
}

/** Names of the public, non-secret channels a user is a member of (whois). */
export async function publicChannelNamesOf(db: Db, pseudoKey: string): Promise<string[]> {
  const rows = (await db('channel_members as m')
    .join('channels as c', 'c.id', 'm.channel_pk')
    .where({ 'm.pseudo_key': pseudoKey, 'c.mode_i': false, 'c.mode_s': false })
    .orderBy('c.name')
    .select('c.name')) as Array<{ name: string }>;
  return rows.map((r) => r.name);
}

export interface AccessRow {
  channel: ChannelRow;
  role: string | null;
  banned: boolean;
}

/**
 * Everything the access decision needs in one indexed query: the channel by its
 * unique name, the caller's membership and ban by primary key (message-service's hot path).
 */
export async function findAccessRow(db: Db, name: string, pseudoKey: string): Promise<AccessRow | undefined> {
  const raw = (await db('channels as c')
    .leftJoin('channel_members as m', (j) => j.on('m.channel_pk', 'c.id').andOn('m.pseudo_key', db.raw('?', [pseudoKey])))
    .leftJoin('channel_bans as b', (j) => j.on('b.channel_pk', 'c.id').andOn('b.pseudo_key', db.raw('?', [pseudoKey])))
    .select([...CHANNEL_COLUMNS, 'm.role as member_role', 'b.pseudo_key as ban_key'])
    .where('c.name', name)
    .first()) as RawChannel | undefined;
  if (!raw) return undefined;
  return {
    channel: toChannel(raw),
    role: raw.member_role ? String(raw.member_role) : null,
    banned: raw.ban_key !== null && raw.ban_key !== undefined,
  };
}

/** A duplicate key on insert, in SQLite's or MySQL's words (two creations racing for one name). */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return code === 'ER_DUP_ENTRY' || code.startsWith('SQLITE_CONSTRAINT_UNIQUE') || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
