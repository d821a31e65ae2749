import type { Migration } from '@canaduck/db';

/** The message-service's schema history, oldest first. Never edit a released migration: add one. */
export const migrations: Migration[] = [];
