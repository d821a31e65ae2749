import type { Knex } from '@canaduck/db';

/** `channel_invites`: pending invitations to invite-only channels (used up by the join). */
export class InviteRepository {
  constructor(private readonly knex: Knex) {}

  async exists(channelPk: number, pseudoKey: string, trx?: Knex.Transaction): Promise<boolean> {
    const db = trx ?? this.knex;
    return !!(await db('channel_invites').where({ channel_pk: channelPk, pseudo_key: pseudoKey }).first('pseudo_key'));
  }

  async add(channelPk: number, pseudo: string, by: string, at: number, trx?: Knex.Transaction): Promise<void> {
    const db = trx ?? this.knex;
    await db('channel_invites')
      .insert({ channel_pk: channelPk, pseudo_key: pseudo.toLowerCase(), pseudo, invited_by: by, invited_at: at })
      .onConflict(['channel_pk', 'pseudo_key'])
      .merge(['invited_by', 'invited_at']);
  }

  async remove(channelPk: number, pseudoKey: string, trx?: Knex.Transaction): Promise<void> {
    const db = trx ?? this.knex;
    await db('channel_invites').where({ channel_pk: channelPk, pseudo_key: pseudoKey }).del();
  }

  /** Every pending invitation of one pseudo, whatever the channel (its account was deleted). */
  async removeAllOf(pseudoKey: string, trx?: Knex.Transaction): Promise<number> {
    const db = trx ?? this.knex;
    return db('channel_invites').where('pseudo_key', pseudoKey).del();
  }

  async list(channelPk: number, trx?: Knex.Transaction): Promise<string[]> {
    const db = trx ?? this.knex;
    const rows = (await db('channel_invites').where('channel_pk', channelPk).orderBy('pseudo_key').select('pseudo')) as Array<{
      pseudo: string;
    }>;
    return rows.map((r) => r.pseudo);
  }
}
