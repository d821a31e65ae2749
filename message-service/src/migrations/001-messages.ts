import { isMysql, type Knex, type Migration } from '@canaduck/db';

/**
 * messages: one row per message. `channel_id` is the channel's identity at posting time (a recreated
 * channel gets a new one); `conv_key` is the lower-cased sorted pair of a private conversation;
 * `root_id` is the first message of the thread a reply belongs to (null for a root).
 */
export const messagesMigration: Migration = {
  name: '001_messages',
  async up(knex: Knex) {
    const mysql = isMysql(knex);
    await knex.schema.createTable('messages', (t) => {
      t.bigIncrements('id');
      t.string('channel', 50).nullable();
      t.string('channel_id', 64).nullable();
      t.string('to_pseudo', 30).nullable();
      t.string('to_key', 30).nullable();
      t.string('from_pseudo', 30).notNullable();
      t.string('from_key', 30).notNullable();
      t.string('conv_key', 61).nullable();
      t.text('text').notNullable();
      t.bigInteger('created_at').notNullable();
      t.bigInteger('edited_at').nullable();
      t.bigInteger('reply_to').unsigned().nullable();
      t.bigInteger('root_id').unsigned().nullable();
      t.boolean('pinned').notNullable().defaultTo(false);
      t.string('pinned_by', 30).nullable();
      t.bigInteger('pinned_at').nullable();
      t.index(['channel_id', 'id'], 'messages_channel_id_idx');
      t.index(['conv_key', 'id'], 'messages_conv_idx');
      t.index(['root_id', 'id'], 'messages_root_idx');
      t.index(['channel_id', 'pinned', 'pinned_at'], 'messages_pinned_idx');
      t.index(['from_key'], 'messages_from_idx');
      t.index(['to_key'], 'messages_to_idx');
    });
    await knex.schema.createTable('reactions', (t) => {
      t.bigIncrements('id');
      t.bigInteger('message_id').unsigned().notNullable();
      t.string('pseudo', 30).notNullable();
      t.string('pseudo_key', 30).notNullable();
      // Binary collation: utf8mb4_unicode_ci would consider many different emoji equal.
      const emoji = t.string('emoji', 64).notNullable();
      if (mysql) emoji.collate('utf8mb4_bin');
      t.bigInteger('created_at').notNullable();
      t.unique(['message_id', 'pseudo_key', 'emoji'], { indexName: 'reactions_unique' });
    });
    await knex.schema.createTable('events', (t) => {
      t.bigIncrements('seq');
      t.string('type', 32).notNullable();
      t.text('data').notNullable();
      t.bigInteger('at').notNullable();
    });
    if (mysql) {
      await knex.raw('ALTER TABLE messages ADD FULLTEXT INDEX messages_text_ft (text)');
    } else {
      // FTS5 index kept in sync by triggers, so every write is indexed in its own transaction.
      await knex.raw("CREATE VIRTUAL TABLE messages_fts USING fts5(text, tokenize = 'unicode61 remove_diacritics 2')");
      await knex.raw(
        'CREATE TRIGGER messages_fts_ai AFTER INSERT ON messages BEGIN INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text); END',
      );
      await knex.raw('CREATE TRIGGER messages_fts_ad AFTER DELETE ON messages BEGIN DELETE FROM messages_fts WHERE rowid = old.id; END');
      await knex.raw(
        'CREATE TRIGGER messages_fts_au AFTER UPDATE OF text ON messages BEGIN UPDATE messages_fts SET text = new.text WHERE rowid = new.id; END',
      );
    }
  },
  async down(knex: Knex) {
    if (!isMysql(knex)) await knex.raw('DROP TABLE IF EXISTS messages_fts');
    await knex.schema.dropTableIfExists('events');
    await knex.schema.dropTableIfExists('reactions');
    await knex.schema.dropTableIfExists('messages');
  },
};
