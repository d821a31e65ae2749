import type { Migration } from '@canaduck/db';

/**
 * When an account last revoked its tokens (logout, password or role change, deletion), epoch ms:
 * tokens issued before it are dead. The user stream carries the same time (revoked_before); this
 * copy answers GET /internal/users/<pseudo>/token-state while a service's stream is down, and
 * makes a login right after a revocation wait for the next second (tokens carry iat in seconds).
 */
export const tokenRevocation: Migration = {
  name: '002_token_revocation',
  async up(knex) {
    await knex.schema.alterTable('users', (t) => {
      t.bigInteger('tokens_revoked_before').nullable();
    });
  },
  async down(knex) {
    await knex.schema.alterTable('users', (t) => {
      t.dropColumn('tokens_revoked_before');
    });
  },
};
