import type { Knex, Migration } from '@canaduck/db';

/**
 * Older versions copied private-message text into `stats_messages` for the top-reacted list.
 * Only the two participants may read it: the copy is blanked, the counts stay.
 */
export const forgetPrivateTexts: Migration = {
  name: '002-forget-private-texts',
  async up(knex: Knex) {
    await knex('stats_messages').where('private', true).update({ text: '' });
  },
};
