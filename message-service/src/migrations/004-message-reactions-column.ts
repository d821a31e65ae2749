import { isMysql, type Knex, type Migration } from '@canaduck/db';

/**
 * `messages.reactions`: the message's reactions as the JSON array `[[emoji, pseudo], ...]` in
 * reaction (id) order, NULL when it has none. Reads far outnumber reactions, so a page of messages
 * is one plain SELECT of the (channel_id, id) index instead of a correlated subquery per row on
 * `reactions`, which stays the truth: every reaction change rewrites the column in its own
 * transaction (reaction-repository.ts). MEDIUMTEXT on MySQL: TEXT's 64 KB is about a thousand reactions.
 */
export const reactionsColumnMigration: Migration = {
  name: '004_message_reactions_column',
  async up(knex: Knex) {
    const mysql = isMysql(knex);
    await knex.schema.alterTable('messages', (t) => {
      if (mysql) t.text('reactions', 'mediumtext').nullable();
      else t.text('reactions').nullable();
    });
    await backfillReactions(knex);
  },
  async down(knex: Knex) {
    await knex.schema.alterTable('messages', (t) => t.dropColumn('reactions'));
  },
};

/** Messages back-filled per statement: bounded transactions and undo on a large table. */
const BACKFILL_BATCH = 5000;

/** Fills the column of the messages that have reactions, by message id ranges. */
export async function backfillReactions(knex: Knex): Promise<void> {
  const mysql = isMysql(knex);
  const range = (await knex.raw('SELECT MIN(message_id) AS lo, MAX(message_id) AS hi FROM reactions')) as unknown;
  const [bounds] = mysql ? (range as [Array<{ lo: unknown; hi: unknown }>])[0] : (range as Array<{ lo: unknown; hi: unknown }>);
  if (bounds.lo === null) return;
  let sql: string;
  if (mysql) {
    // JSON_ARRAYAGG is cut at group_concat_max_len (MariaDB's default 1 MB): raised to the column's size.
    await knex.raw('SET SESSION group_concat_max_len = 16777215');
    sql =
      'UPDATE messages m JOIN (SELECT message_id, JSON_ARRAYAGG(JSON_ARRAY(emoji, pseudo) ORDER BY id) AS j FROM reactions ' +
      'WHERE message_id >= ? AND message_id < ? GROUP BY message_id) r ON r.message_id = m.id SET m.reactions = r.j';
  } else {
    sql =
      'UPDATE messages SET reactions = (SELECT json_group_array(json_array(r.emoji, r.pseudo) ORDER BY r.id) FROM reactions r ' +
      'WHERE r.message_id = messages.id) WHERE id IN (SELECT message_id FROM reactions WHERE message_id >= ? AND message_id < ?)';
  }
  for (let from = Number(bounds.lo); from <= Number(bounds.hi); from += BACKFILL_BATCH) {
    await knex.raw(sql, [from, from + BACKFILL_BATCH]);
  }
}
