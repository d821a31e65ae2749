import type { Migration } from '@canaduck/db';

/**
 * Guests: temporary accounts the IRC door makes for clients without credentials (IRC_GUESTS).
 * They are deleted outright (no tombstone) when the client leaves, so the flag tells them apart.
 */
export const guestAccounts: Migration = {
  name: '003_guest_accounts',
  async up(knex) {
    await knex.schema.alterTable('users', (t) => {
      t.boolean('guest').notNullable().defaultTo(false);
    });
  },
  async down(knex) {
    await knex.schema.alterTable('users', (t) => {
      t.dropColumn('guest');
    });
  },
};
