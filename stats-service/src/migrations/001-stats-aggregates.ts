import { isMysql, type Knex, type Migration } from '@canaduck/db';

/**
 * The aggregates. Every stats request reads counter tables through an index, so
 * its cost depends on the number of channels, users and hours, never on the
 * number of messages. `stats_messages` holds one small row per live message:
 * what a later edit, delete or reaction needs to undo or adjust the counters,
 * and the text of the top-reacted list. Private messages use the channel key ''.
 */
export const statsAggregates: Migration = {
  name: '001-stats-aggregates',
  async up(knex: Knex) {
    // utf8mb4_unicode_ci compares most emoji as equal: reactions need a binary collation.
    const binary = (col: Knex.ColumnBuilder) => (isMysql(knex) ? col.collate('utf8mb4_bin') : col);

    await knex.schema.createTable('stats_state', (t) => {
      t.integer('id').primary();
      t.bigInteger('last_seq').notNullable().defaultTo(0);
      // `at` of the last event applied (epoch ms); null before the first one.
      t.bigInteger('as_of').nullable();
    });
    await knex('stats_state').insert({ id: 1, last_seq: 0, as_of: null });

    await knex.schema.createTable('stats_messages', (t) => {
      t.bigInteger('id').primary();
      t.string('channel', 50).nullable();
      t.string('channel_key', 64).notNullable();
      t.string('from_key', 30).notNullable();
      t.string('pseudo', 30).notNullable();
      t.integer('reactions_count').notNullable().defaultTo(0);
      t.boolean('private').notNullable();
      t.bigInteger('hour').notNullable();
      t.bigInteger('created_at').notNullable();
      t.text('text').notNullable();
      t.index(['reactions_count', 'id'], 'stats_messages_reactions_idx');
      t.index(['channel_key', 'created_at'], 'stats_messages_channel_time_idx');
    });

    await knex.schema.createTable('stats_reactions', (t) => {
      t.bigInteger('message_id').notNullable();
      binary(t.string('emoji', 64).notNullable());
      t.string('pseudo_key', 30).notNullable();
      t.primary(['message_id', 'emoji', 'pseudo_key']);
    });

    // Per channel creation (channel_id): total messages and the newest one.
    await knex.schema.createTable('stats_channel_counts', (t) => {
      t.string('channel_key', 64).primary();
      t.string('channel', 50).notNullable();
      t.bigInteger('messages').notNullable();
      t.bigInteger('last_message_at').nullable();
      t.index(['messages'], 'stats_channel_counts_messages_idx');
    });

    // Per (channel creation or '' for private messages, user).
    await knex.schema.createTable('stats_user_counts', (t) => {
      t.string('channel_key', 64).notNullable();
      t.string('from_key', 30).notNullable();
      t.string('pseudo', 30).notNullable();
      t.bigInteger('messages').notNullable();
      t.primary(['channel_key', 'from_key']);
    });

    // Per (UTC hour, channel creation or '' for private messages).
    await knex.schema.createTable('stats_hourly_counts', (t) => {
      t.bigInteger('hour').notNullable();
      t.string('channel_key', 64).notNullable();
      t.bigInteger('messages').notNullable();
      t.primary(['hour', 'channel_key']);
    });

    // Last known visibility of each channel name seen in the feed (from channel-service).
    // channel_id null: unknown, deleted, or never asked yet -> hidden (fail closed).
    await knex.schema.createTable('stats_channels', (t) => {
      t.string('name', 50).primary();
      t.string('channel_id', 64).nullable();
      t.boolean('private').notNullable().defaultTo(false);
      t.boolean('secret').notNullable().defaultTo(false);
      t.bigInteger('checked_at').nullable();
      t.index(['channel_id'], 'stats_channels_channel_id_idx');
    });
  },
  async down(knex: Knex) {
    for (const table of [
      'stats_channels',
      'stats_hourly_counts',
      'stats_user_counts',
      'stats_channel_counts',
      'stats_reactions',
      'stats_messages',
      'stats_state',
    ]) {
      await knex.schema.dropTableIfExists(table);
    }
  },
};
