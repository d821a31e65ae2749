import type { Migration } from '@canaduck/db';
import { createChannels } from './001-channels';
import { outbox } from './002-outbox';
import { createStreamCursors } from './003-stream-cursors';

/**
 * The channel-service's schema history, oldest first. A migration's `name` is what knex records in
 * knex_migrations, so it never changes; never edit a released migration: add the next file.
 */
export const migrations: Migration[] = [createChannels, ...outbox, createStreamCursors];
