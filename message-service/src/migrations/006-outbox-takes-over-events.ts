import { copyLegacyEvents } from '@canaduck/events';
import type { Knex, Migration } from '@canaduck/db';

/**
 * The library's outbox (`outbox_events`, created by outboxMigrations just before this one)
 * replaces the service's own `events` table and its `message.created` trigger (migration 002):
 * the service now appends every event itself, in the transaction of its change, and a sequencer
 * gives the dense `seq` after commit (no gap rule any more).
 *
 * A database migrated by the old code keeps its events: they are copied with their seqs
 * unchanged (a gap left by a rolled-back transaction stays a gap in that old history), so a
 * reader's cursor (stats_state.last_seq) stays valid, and new events continue at the highest old
 * seq + 1, densely. Each copied event gets the subject `message:<id>` so that deleting the
 * message later scrubs its text from the old events too.
 */
export const outboxTakesOverEventsMigration: Migration = {
  name: '006_outbox_takes_over_events',
  async up(knex: Knex) {
    // The trigger first: a post between the copy and the drop would otherwise write to `events`.
    await knex.raw('DROP TRIGGER IF EXISTS messages_created_event');
    await copyLegacyEvents(knex, 'events', (type, data) => messageSubjectOf(type, data));
    await knex.schema.dropTable('events');
  },
  async down(knex: Knex) {
    await knex.schema.createTable('events', (t) => {
      t.bigIncrements('seq');
      t.string('type', 32).notNullable();
      t.text('data').notNullable();
      t.bigInteger('at').notNullable();
    });
  },
};

/** `message:<id>` of the message an event is about (reactions name it `message_id`). */
export function messageSubjectOf(_type: string, data: unknown): string | null {
  const d = data as { id?: unknown; message_id?: unknown } | null;
  const id = typeof d?.message_id === 'number' ? d.message_id : d?.id;
  return typeof id === 'number' ? `message:${id}` : null;
}
