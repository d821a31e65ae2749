import type { Migration } from '@canaduck/db';

/** The stats-service's schema history, oldest first. Never edit a released migration: add one. */
export const migrations: Migration[] = [];
