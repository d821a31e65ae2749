import type { Migration } from '@canaduck/db';

/**
 * How far channel-service has applied each stream it follows (one row per source service), so
 * that a restart resumes where it stopped and an event is never applied twice. The `user` row
 * belongs to the account-deletion follower.
 */
export const createStreamCursors: Migration = {
  name: '003_stream_cursors',
  async up(knex) {
    await knex.schema.createTable('stream_cursors', (t) => {
      t.string('stream', 16).primary();
      t.bigInteger('last_seq').notNullable().defaultTo(0);
    });
    await knex('stream_cursors').insert({ stream: 'user', last_seq: 0 });
  },
  async down(knex) {
    await knex.schema.dropTableIfExists('stream_cursors');
  },
};
