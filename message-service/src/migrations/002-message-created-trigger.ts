import { isMysql, type Knex, type Migration } from '@canaduck/db';

/**
 * The `message.created` outbox row is written by an AFTER INSERT trigger, so that posting is one
 * autocommit INSERT (one round trip) and still atomic: the event exists if and only if the message
 * does. The JSON is structures.md section 5's, its timestamp the ISO 8601 UTC form of `created_at`
 * (integer arithmetic, no time zone involved: equal to `new Date(created_at).toISOString()`).
 */
export const messageCreatedTriggerMigration: Migration = {
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
