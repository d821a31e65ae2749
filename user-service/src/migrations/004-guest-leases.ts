import type { Migration } from '@canaduck/db';

/**
 * Guest leases: the door instance holding each guest's connection, and when the guest expires
 * unless that door renews it. A door killed with SIGKILL renews nothing: another door (or the
 * same one started again) claims its expired guests, makes them leave their channels and deletes
 * them. Guests made before this table exist get an expired lease, so the first sweep removes them.
 */
export const guestLeases: Migration = {
  name: '004_guest_leases',
  async up(knex) {
    await knex.schema.createTable('guest_leases', (t) => {
      t.string('pseudo_key', 64).primary();
      t.string('owner', 100).notNullable();
      t.bigInteger('expires_at').notNullable();
      t.index(['expires_at'], 'guest_leases_expires_at');
      t.index(['owner'], 'guest_leases_owner');
    });
    const guests = (await knex('users').where('guest', true).select('pseudo_key')) as Array<{ pseudo_key: string }>;
    if (guests.length) await knex('guest_leases').insert(guests.map((g) => ({ pseudo_key: g.pseudo_key, owner: '', expires_at: 0 })));
  },
  async down(knex) {
    await knex.schema.dropTable('guest_leases');
  },
};
