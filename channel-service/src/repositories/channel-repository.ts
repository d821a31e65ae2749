import type { ChannelRole } from '@canaduck/contracts';
import type { Knex } from '@canaduck/db';
import type { Paging } from '@canaduck/service-kit';
import { MODE_LETTERS, type ModeSet } from '../domain/modes';

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
function membersCount(db: Knex | Knex.Transaction): Knex.QueryBuilder {
  return db('channel_members as m').count('*').whereRaw('m.channel_pk = c.id').as('members_count');
}

/** `LIKE` pattern for a literal substring: `%`, `_` and the escape character itself match only themselves. */
function containsPattern(q: string): string {
  return `%${q.replace(/[!%_]/g, (ch) => `!${ch}`)}%`;
}

export interface AccessRow {
  channel: ChannelRow;
  role: string | null;
  banned: boolean;
}

/** The `channels` table (and the per-channel lists it is joined with for reads). */
export class ChannelRepository {
  constructor(private readonly knex: Knex) {}

  async find(name: string, trx?: Knex.Transaction): Promise<ChannelRow | undefined> {
    const db = trx ?? this.knex;
    const raw = (await db('channels as c').select(CHANNEL_COLUMNS).where('c.name', name).first()) as RawChannel | undefined;
    return raw ? toChannel(raw) : undefined;
  }

  async insert(c: Omit<ChannelRow, 'pk'>, trx?: Knex.Transaction): Promise<number> {
    const db = trx ?? this.knex;
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

  async update(pk: number, change: { topic?: string; modes?: ModeSet }, trx?: Knex.Transaction): Promise<void> {
    const db = trx ?? this.knex;
    const row: Record<string, unknown> = {};
    if (change.topic !== undefined) row.topic = change.topic;
    if (change.modes) Object.assign(row, modeColumns(change.modes));
    if (Object.keys(row).length > 0) await db('channels').where('id', pk).update(row);
  }

  /** Records a new owner (their membership row gets the `owner` role separately). */
  async setOwner(pk: number, owner: string, trx?: Knex.Transaction): Promise<void> {
    const db = trx ?? this.knex;
    await db('channels').where('id', pk).update({ owner });
  }

  /** Deletes the channel and everything hanging off it (explicitly, not trusting FK cascades alone). */
  async delete(pk: number, trx?: Knex.Transaction): Promise<void> {
    const db = trx ?? this.knex;
    for (const table of ['channel_members', 'channel_invites', 'channel_bans']) await db(table).where('channel_pk', pk).del();
    await db('channels').where('id', pk).del();
  }

  /** Channels anyone may see listed: neither invite-only nor secret, by name. */
  async listPublic(q: string | undefined, paging: Paging, trx?: Knex.Transaction): Promise<ChannelSummaryRow[]> {
    const db = trx ?? this.knex;
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

  async byNames(names: string[], trx?: Knex.Transaction): Promise<ChannelRow[]> {
    const db = trx ?? this.knex;
    if (names.length === 0) return [];
    const rows = (await db('channels as c').select(CHANNEL_COLUMNS).whereIn('c.name', names).orderBy('c.name')) as RawChannel[];
    return rows.map(toChannel);
  }

  /** Names of the channels a user is a member of: public non-secret ones only (whois) unless `all`. */
  async memberNamesOf(pseudoKey: string, all: boolean, trx?: Knex.Transaction): Promise<string[]> {
    const db = trx ?? this.knex;
    const query = db('channel_members as m').join('channels as c', 'c.id', 'm.channel_pk').where({ 'm.pseudo_key': pseudoKey });
    if (!all) query.where({ 'c.mode_i': false, 'c.mode_s': false });
    const rows = (await query.orderBy('c.name').select('c.name')) as Array<{ name: string }>;
    return rows.map((r) => r.name);
  }

  /** The roles and bans of many pseudos in one channel: two indexed queries, whatever their number. */
  async rolesAndBans(
    channelPk: number,
    pseudoKeys: string[],
    trx?: Knex.Transaction,
  ): Promise<{ roles: Map<string, string>; banned: Set<string> }> {
    const db = trx ?? this.knex;
    const members = (await db('channel_members')
      .where('channel_pk', channelPk)
      .whereIn('pseudo_key', pseudoKeys)
      .select('pseudo_key', 'role')) as Array<{ pseudo_key: string; role: string }>;
    const bans = (await db('channel_bans').where('channel_pk', channelPk).whereIn('pseudo_key', pseudoKeys).select('pseudo_key')) as Array<{
      pseudo_key: string;
    }>;
    return { roles: new Map(members.map((m) => [m.pseudo_key, m.role])), banned: new Set(bans.map((b) => b.pseudo_key)) };
  }

  /** Every channel a user is a member of (secret and invite-only ones too), with their role. */
  async membershipsOf(pseudoKey: string, trx?: Knex.Transaction): Promise<Array<{ name: string; role: string }>> {
    const db = trx ?? this.knex;
    return (await db('channel_members as m')
      .join('channels as c', 'c.id', 'm.channel_pk')
      .where('m.pseudo_key', pseudoKey)
      .orderBy('c.name')
      .select('c.name', 'm.role')) as Array<{ name: string; role: string }>;
  }

  /** Every channel a pseudo is a member of, with its membership (registered spelling, role), by name. */
  async membershipRowsOf(
    pseudoKey: string,
    trx?: Knex.Transaction,
  ): Promise<Array<{ channel: ChannelRow; pseudo: string; role: ChannelRole }>> {
    const db = trx ?? this.knex;
    const rows = (await db('channel_members as m')
      .join('channels as c', 'c.id', 'm.channel_pk')
      .where('m.pseudo_key', pseudoKey)
      .orderBy('c.name')
      .select([...CHANNEL_COLUMNS, 'm.pseudo as member_pseudo', 'm.role as member_role'])) as RawChannel[];
    return rows.map((r) => ({ channel: toChannel(r), pseudo: String(r.member_pseudo), role: r.member_role as ChannelRole }));
  }

  /**
   * Everything the access decision needs in one indexed query: the channel by its
   * unique name, the caller's membership and ban by primary key (message-service's hot path).
   */
  async findAccessRow(name: string, pseudoKey: string, trx?: Knex.Transaction): Promise<AccessRow | undefined> {
    const db = trx ?? this.knex;
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
}

/** A duplicate key on insert, in SQLite's or MySQL's words (two creations racing for one name). */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return code === 'ER_DUP_ENTRY' || code.startsWith('SQLITE_CONSTRAINT_UNIQUE') || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
