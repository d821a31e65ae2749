import type { Migration } from '@canaduck/db';
import { usersAndRoles } from './001-users-and-roles';
import { guestAccounts } from './003-guest-accounts';

/**
 * The user-service's schema history, oldest first. A migration is known by its `name`, recorded in
 * knex_migrations: never rename or edit a released one, add the next file.
 */
// 002 is main's token revocation migration (another branch): guests come after it.
export const migrations: Migration[] = [usersAndRoles, guestAccounts];
