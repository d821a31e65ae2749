import type { Knex } from '@canaduck/db';

export interface Ban {
  pseudo: string;
  reason: string;
  by: string;
  at: number;
}

/** `channel_bans`: who may not join a channel, with the reason. */
export class BanRepository {
  constructor(private readonly knex: Knex) {}

  async exists(channelPk: number, pseudoKey: string, trx?: Knex.Transaction): Promise<boolean> {
    const db = trx ?? this.knex;
    return !!(await db('channel_bans').where({ channel_pk: channelPk, pseudo_key: pseudoKey }).first('pseudo_key'));
  }

  async find(channelPk: number, pseudoKey: string, trx?: Knex.Transaction): Promise<Ban | undefined> {
    const db = trx ?? this.knex;
    const r = (await db('channel_bans')
      .where({ channel_pk: channelPk, pseudo_key: pseudoKey })
      .first('pseudo', 'reason', 'banned_by', 'banned_at')) as Record<string, unknown> | undefined;
    return r && { pseudo: String(r.pseudo), reason: String(r.reason), by: String(r.banned_by), at: Number(r.banned_at) };
  }

  /** Bans, or updates the reason of an existing ban. */
  async upsert(channelPk: number, ban: Ban, trx?: Knex.Transaction): Promise<void> {
    const db = trx ?? this.knex;
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

  async remove(channelPk: number, pseudoKey: string, trx?: Knex.Transaction): Promise<boolean> {
    const db = trx ?? this.knex;
    return (await db('channel_bans').where({ channel_pk: channelPk, pseudo_key: pseudoKey }).del()) > 0;
  }

  async list(channelPk: number, trx?: Knex.Transaction): Promise<Ban[]> {
    const db = trx ?? this.knex;
    const rows = (await db('channel_bans')
      .where('channel_pk', channelPk)
      .orderBy('banned_at')
      .orderBy('pseudo_key')
      .select('pseudo', 'reason', 'banned_by', 'banned_at')) as Array<Record<string, unknown>>;
    return rows.map((r) => ({ pseudo: String(r.pseudo), reason: String(r.reason), by: String(r.banned_by), at: Number(r.banned_at) }));
  }
}
