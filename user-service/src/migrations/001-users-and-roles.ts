import type { Migration } from '@canaduck/db';

/** Accounts (tombstones included) and their global roles. The name is what databases have recorded. */
export const usersAndRoles: Migration = {
  name: '001_users_and_roles',
  async up(knex) {
    await knex.schema.createTable('users', (t) => {
      t.increments('id').primary();
      // The form given at registration, returned everywhere.
      t.string('pseudo', 30).notNullable();
      // Lower-cased: uniqueness and lookups are case-insensitive.
      t.string('pseudo_key', 30).notNullable().unique();
      t.string('email', 254).notNullable();
      t.string('email_key', 254).notNullable().unique();
      // Null once the account is deleted: a tombstone keeps no credential.
      t.string('password_hash', 100).nullable();
      t.string('status', 64).notNullable().defaultTo('offline');
      // A data: URI of a 64 KB image is ~88 KB of text: more than MySQL's TEXT holds.
      t.text('avatar_url', 'mediumtext').nullable();
      t.bigInteger('created_at').notNullable();
      t.bigInteger('last_seen').nullable();
      // Tombstone: the row stays so that the pseudo and email are never given to someone else.
      t.bigInteger('deleted_at').nullable();
    });
    await knex.schema.createTable('user_roles', (t) => {
      t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
      t.string('role', 20).notNullable();
      t.bigInteger('granted_at').notNullable();
      t.primary(['user_id', 'role']);
      // "How many admins are left" is asked before every admin removal.
      t.index(['role']);
    });
  },
  async down(knex) {
    await knex.schema.dropTableIfExists('user_roles');
    await knex.schema.dropTableIfExists('users');
  },
};
