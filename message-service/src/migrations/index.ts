import { isMysql, type Knex, type Migration } from '@canaduck/db';
import { privateWordsMigration } from './private-words-migration';
import { reactionsColumnMigration } from './reactions-column-migration';
import { searchWordsMigration } from './search-words-migration';

/**
 * messages: one row per message. `channel_id` is the channel's identity at posting time (a recreated
 * channel gets a new one); `conv_key` is the lower-cased sorted pair of a private conversation;
 * `root_id` is the first message of the thread a reply belongs to (null for a root).
 */
const initial: Migration = {
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

/**
 * The `message.created` outbox row is written by an AFTER INSERT trigger, so that posting is one
 * autocommit INSERT (one round trip) and still atomic: the event exists if and only if the message
 * does. The JSON is structures.md section 5's, its timestamp the ISO 8601 UTC form of `created_at`
 * (integer arithmetic, no time zone involved: equal to `new Date(created_at).toISOString()`).
 */
const createdEventTrigger: Migration = {
  name: '002_message_created_trigger',
  async up(knex: Knex) {
    if (isMysql(knex)) {
      const iso =
        "CONCAT(DATE_FORMAT(TIMESTAMPADD(SECOND, NEW.created_at DIV 1000, '1970-01-01 00:00:00'), '%Y-%m-%dT%H:%i:%s.'), " +
        "LPAD(NEW.created_at MOD 1000, 3, '0'), 'Z')";
      await knex.raw(
        'CREATE TRIGGER messages_created_event AFTER INSERT ON messages FOR EACH ROW ' +
          "INSERT INTO events (type, data, at) VALUES ('message.created', JSON_OBJECT('id', NEW.id, 'channel', NEW.channel, " +
          `'channel_id', NEW.channel_id, 'to', NEW.to_pseudo, 'from', NEW.from_pseudo, 'text', NEW.text, 'timestamp', ${iso}, ` +
          "'reply_to', NEW.reply_to), NEW.created_at)",
      );
    } else {
      const iso =
        "strftime('%Y-%m-%dT%H:%M:%S', new.created_at / 1000, 'unixepoch') || '.' || printf('%03d', new.created_at % 1000) || 'Z'";
      await knex.raw(
        'CREATE TRIGGER messages_created_event AFTER INSERT ON messages BEGIN ' +
          "INSERT INTO events (type, data, at) VALUES ('message.created', json_object('id', new.id, 'channel', new.channel, " +
          `'channel_id', new.channel_id, 'to', new.to_pseudo, 'from', new.from_pseudo, 'text', new.text, 'timestamp', ${iso}, ` +
          "'reply_to', new.reply_to), new.created_at); END",
      );
    }
  },
  async down(knex: Knex) {
    await knex.raw('DROP TRIGGER IF EXISTS messages_created_event');
  },
};

/** The message-service's schema history, oldest first. Never edit a released migration: add one. */
export const migrations: Migration[] = [
  initial,
  createdEventTrigger,
  searchWordsMigration,
  reactionsColumnMigration,
  privateWordsMigration,
];
