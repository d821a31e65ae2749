import type { ChannelRole } from '@canaduck/contracts';
import { isMysql, type Knex } from '@canaduck/db';
import type { Paging } from '@canaduck/service-kit';
import { isUniqueViolation } from './channel-repository';

/** A member's role (@canaduck/contracts: the access answer names it too). */
export type MemberRole = ChannelRole;

export interface Member {
  pseudo: string;
  role: MemberRole;
}

/** `channel_members`: who is in a channel, with their role. Pseudos are keyed lower-cased. */
export class MemberRepository {
  constructor(private readonly knex: Knex) {}

  async find(channelPk: number, pseudoKey: string, trx?: Knex.Transaction): Promise<Member | undefined> {
    const db = trx ?? this.knex;
    const row = (await db('channel_members').where({ channel_pk: channelPk, pseudo_key: pseudoKey }).first('pseudo', 'role')) as
      Member | undefined;
    return row ? { pseudo: row.pseudo, role: row.role } : undefined;
  }

  /**
   * Adds a member; false when they already were one (a concurrent second join of the same pseudo
   * is a no-op that must write no event). A duplicate key fails only this statement, not the
   * caller's transaction, on both SQLite and MySQL.
   */
  async add(channelPk: number, pseudo: string, role: MemberRole, at: number, trx?: Knex.Transaction): Promise<boolean> {
    const db = trx ?? this.knex;
    try {
      await db('channel_members').insert({ channel_pk: channelPk, pseudo_key: pseudo.toLowerCase(), pseudo, role, joined_at: at });
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  async remove(channelPk: number, pseudoKey: string, trx?: Knex.Transaction): Promise<boolean> {
    const db = trx ?? this.knex;
    return (await db('channel_members').where({ channel_pk: channelPk, pseudo_key: pseudoKey }).del()) > 0;
  }

  async setRole(channelPk: number, pseudoKey: string, role: MemberRole, trx?: Knex.Transaction): Promise<void> {
    const db = trx ?? this.knex;
    await db('channel_members').where({ channel_pk: channelPk, pseudo_key: pseudoKey }).update({ role });
  }

  /**
   * Who takes a channel over from its owner `ownerKey`: the longest-standing moderator, else the
   * longest-standing member (ties by pseudo); undefined when nobody else is left. On MySQL the row
   * is locked until `trx` ends, so a concurrent part cannot leave the channel to someone gone.
   */
  async successorOf(channelPk: number, ownerKey: string, trx: Knex.Transaction): Promise<(Member & { key: string }) | undefined> {
    const query = trx('channel_members')
      .where('channel_pk', channelPk)
      .whereNot('pseudo_key', ownerKey)
      .whereIn('role', ['moderator', 'member'])
      .orderByRaw("CASE role WHEN 'moderator' THEN 0 ELSE 1 END")
      .orderBy('joined_at')
      .orderBy('pseudo_key')
      .first('pseudo_key', 'pseudo', 'role');
    const row = (await (isMysql(trx) ? query.forUpdate() : query)) as { pseudo_key: string; pseudo: string; role: MemberRole } | undefined;
    return row ? { key: row.pseudo_key, pseudo: row.pseudo, role: row.role } : undefined;
  }

  /** Members, owner first, then moderators, then everyone else, each group by pseudo. */
  async list(channelPk: number, paging: Paging, trx?: Knex.Transaction): Promise<Member[]> {
    const db = trx ?? this.knex;
    return (await db('channel_members')
      .where('channel_pk', channelPk)
      .orderByRaw("CASE role WHEN 'owner' THEN 0 WHEN 'moderator' THEN 1 ELSE 2 END")
      .orderBy('pseudo_key')
      .offset(paging.offset)
      .limit(paging.limit)
      .select('pseudo', 'role')) as Member[];
  }

  async count(channelPk: number, trx?: Knex.Transaction): Promise<number> {
    const db = trx ?? this.knex;
    const row = (await db('channel_members').where('channel_pk', channelPk).count('* as n').first()) as { n: unknown } | undefined;
    return Number(row?.n ?? 0);
  }

  async moderatorsOf(channelPk: number, trx?: Knex.Transaction): Promise<string[]> {
    const db = trx ?? this.knex;
    const rows = (await db('channel_members')
      .where({ channel_pk: channelPk, role: 'moderator' })
      .orderBy('pseudo_key')
      .select('pseudo')) as Array<{
      pseudo: string;
    }>;
    return rows.map((r) => r.pseudo);
  }
}
