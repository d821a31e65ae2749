import type { Knex, Migration } from '@canaduck/db';

/**
 * The outbox tables, appended by a service to its own migration list. `id` is the insertion
 * order (assigned at insert, visible at commit); `seq` is the dense stream order, NULL until the
 * sequencer gives it after commit. `at` is epoch milliseconds taken when the event was written.
 */
export const outboxMigrations: Migration[] = [
  {
    name: 'outbox-001-events-and-meta',
    async up(knex) {
      await knex.schema.createTable('outbox_events', (t) => {
        t.bigIncrements('id').primary();
        t.bigInteger('seq').nullable().unique('outbox_events_seq_unique');
        t.string('type', 64).notNullable();
        t.string('subject', 191).nullable().index('outbox_events_subject_index');
        t.text('data', 'longtext').notNullable();
        t.bigInteger('at').notNullable();
      });
      await knex.schema.createTable('outbox_meta', (t) => {
        t.integer('id').primary();
        // Every event with seq <= pruned_through is gone (retention); a cursor below it must resync.
        t.bigInteger('pruned_through').notNullable().defaultTo(0);
        // The NATS relay has published every event with seq <= relayed_through.
        t.bigInteger('relayed_through').notNullable().defaultTo(0);
      });
      await knex('outbox_meta').insert({ id: 1, pruned_through: 0, relayed_through: 0 });
    },
    async down(knex) {
      await knex.schema.dropTableIfExists('outbox_meta');
      await knex.schema.dropTableIfExists('outbox_events');
    },
  },
  {
    name: 'outbox-002-nats-scrubs',
    async up(knex) {
      // The events a scrub rewrote, waiting for the NATS relay to replace their JetStream copies
      // (so a scrub made while NATS is down is done once it is back). Rows leave when done, or
      // when their event is pruned.
      await knex.schema.createTable('outbox_scrubs', (t) => {
        t.bigIncrements('id').primary();
        t.bigInteger('event_id').notNullable();
      });
    },
    async down(knex) {
      await knex.schema.dropTableIfExists('outbox_scrubs');
    },
  },
];

/**
 * For a service that had its own events table (message-service's `events`: seq, type, data, at):
 * copies its rows with their seqs into outbox_events, so consumers' cursors stay valid and new
 * events continue after the highest one. Call it from a migration of the service, after
 * outboxMigrations, then drop the old table.
 */
export async function copyLegacyEvents(
  knex: Knex,
  table: string,
  subjectOf?: (type: string, data: unknown) => string | null,
): Promise<number> {
  const rows = (await knex(table).orderBy('seq', 'asc').select('seq', 'type', 'data', 'at')) as Array<{
    seq: number;
    type: string;
    data: string;
    at: number;
  }>;
  for (let i = 0; i < rows.length; i += 500) {
    await knex('outbox_events').insert(
      rows.slice(i, i + 500).map((r) => ({
        seq: Number(r.seq),
        type: r.type,
        subject: subjectOf ? subjectOf(r.type, JSON.parse(r.data) as unknown) : null,
        data: r.data,
        at: Number(r.at),
      })),
    );
  }
  return rows.length;
}
