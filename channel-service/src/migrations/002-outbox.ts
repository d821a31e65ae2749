import type { Migration } from '@canaduck/db';
import { outboxMigrations } from '@canaduck/events';

/**
 * The event outbox of issue 22 (tables `outbox_events`, `outbox_meta`), as @canaduck/events
 * defines it: its migrations keep the library's names, so every service records the same ones.
 */
export const outbox: Migration[] = outboxMigrations;
