import type { Knex, Migration } from '@canaduck/db';

/**
 * `idempotency_keys`: the first answer to each `Idempotency-Key` of a user on a route, replayed to
 * a retry with the same key and body. `status` is NULL while the first request runs. Rows older
 * than IDEMPOTENCY_TTL are deleted as new keys arrive (index on created_at).
 */
export const idempotencyKeysMigration: Migration = {
  name: '007_idempotency_keys',
  async up(knex: Knex) {
    await knex.schema.createTable('idempotency_keys', (t) => {
      t.string('pseudo_key', 64).notNullable();
      t.string('route', 32).notNullable();
      t.string('idem_key', 255).notNullable();
      t.string('body_hash', 64).notNullable();
      t.integer('status').nullable();
      t.text('response', 'mediumtext').nullable();
      t.bigInteger('created_at').notNullable();
      t.primary(['pseudo_key', 'route', 'idem_key']);
      t.index(['created_at'], 'idempotency_keys_created_at');
    });
  },
  async down(knex: Knex) {
    await knex.schema.dropTableIfExists('idempotency_keys');
  },
};
