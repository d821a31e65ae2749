import type { Migration } from '@canaduck/db';
import { outboxMigrations } from '@canaduck/events';
import { messagesMigration } from './001-messages';
import { messageCreatedTriggerMigration } from './002-message-created-trigger';
import { searchWordsMigration } from './003-search-words';
import { reactionsColumnMigration } from './004-message-reactions-column';
import { privateWordsMigration } from './005-search-words-private';
import { outboxTakesOverEventsMigration } from './006-outbox-takes-over-events';
import { idempotencyKeysMigration } from './007-idempotency-keys';

/**
 * The message-service's schema history, oldest first. A migration is identified by its `name`
 * (knex_migrations.name, see runMigrations): names stay as released, and a released migration is
 * never edited; add one.
 */
export const migrations: Migration[] = [
  messagesMigration,
  messageCreatedTriggerMigration,
  searchWordsMigration,
  reactionsColumnMigration,
  privateWordsMigration,
  // The library's outbox tables (name `outbox-001-events-and-meta`), then the copy of the old events into them.
  ...outboxMigrations,
  outboxTakesOverEventsMigration,
  idempotencyKeysMigration,
];
