import type { Migration } from '@canaduck/db';
import { outboxMigrations } from '@canaduck/events';
import { usersAndRoles } from './001-users-and-roles';
import { tokenRevocation } from './002-token-revocation';
import { guestAccounts } from './003-guest-accounts';
import { guestLeases } from './004-guest-leases';

/**
 * The user-service's schema history, oldest first. A migration is known by its `name`, recorded in
 * knex_migrations: never rename or edit a released one, add the next file. The outbox tables of
 * the user event stream come from @canaduck/events.
 */
// Order of release: the outbox tables came before the guests' column.
export const migrations: Migration[] = [usersAndRoles, tokenRevocation, ...outboxMigrations, guestAccounts, guestLeases];
