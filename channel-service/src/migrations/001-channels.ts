import type { Knex, Migration } from '@canaduck/db';

/** Columns shared by the three per-channel pseudo lists (members, invitations, bans). */
function channelPseudoColumns(t: Knex.CreateTableBuilder): void {
  t.integer('channel_pk').unsigned().notNullable().references('id').inTable('channels').onDelete('CASCADE');
  // Pseudos are compared lower-cased (pseudo_key) and shown as registered (pseudo).
  t.string('pseudo_key', 30).notNullable();
  t.string('pseudo', 30).notNullable();
}

/** Channels and their three per-channel pseudo lists (members, invitations, bans). */
export const createChannels: Migration = {
  name: '001_channels',
  async up(knex) {
    await knex.schema.createTable('channels', (t) => {
      t.increments('id').primary();
      // Random per creation: a channel deleted and created again gets a new one (message-service filters on it).
      t.string('channel_id', 32).notNullable().unique();
      t.string('name', 50).notNullable().unique();
      t.text('topic').notNullable();
      t.string('owner', 30).notNullable();
      // One column per mode so that listing filters (not i, not s) stay plain indexed predicates.
      t.boolean('mode_i').notNullable().defaultTo(false);
      t.boolean('mode_s').notNullable().defaultTo(false);
      t.boolean('mode_r').notNullable().defaultTo(false);
      t.boolean('mode_t').notNullable().defaultTo(true);
      t.boolean('mode_n').notNullable().defaultTo(true);
      t.bigInteger('created_at').notNullable();
    });
    await knex.schema.createTable('channel_members', (t) => {
      channelPseudoColumns(t);
      t.string('role', 16).notNullable();
      t.bigInteger('joined_at').notNullable();
      t.primary(['channel_pk', 'pseudo_key']);
      t.index(['pseudo_key'], 'channel_members_pseudo_key_idx');
    });
    await knex.schema.createTable('channel_invites', (t) => {
      channelPseudoColumns(t);
      t.string('invited_by', 30).notNullable();
      t.bigInteger('invited_at').notNullable();
      t.primary(['channel_pk', 'pseudo_key']);
    });
    await knex.schema.createTable('channel_bans', (t) => {
      channelPseudoColumns(t);
      t.text('reason').notNullable();
      t.string('banned_by', 30).notNullable();
      t.bigInteger('banned_at').notNullable();
      t.primary(['channel_pk', 'pseudo_key']);
    });
  },
  async down(knex) {
    await knex.schema.dropTableIfExists('channel_bans');
    await knex.schema.dropTableIfExists('channel_invites');
    await knex.schema.dropTableIfExists('channel_members');
    await knex.schema.dropTableIfExists('channels');
  },
};
