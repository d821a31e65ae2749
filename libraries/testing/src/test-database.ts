import { randomBytes } from 'node:crypto';
import { createDatabase, runMigrations, type Knex, type Migration } from '@canaduck/db';

export type TestDbKind = 'sqlite' | 'mysql';

/** SQLite always; MySQL/MariaDB too when TEST_MYSQL_URL is set (CI sets it). */
export function testDatabases(): TestDbKind[] {
  return process.env.TEST_MYSQL_URL ? ['sqlite', 'mysql'] : ['sqlite'];
}

export interface TestDatabase {
  knex: Knex;
  /** Closes the pool and drops the throwaway MySQL database. */
  destroy(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file: in-memory SQLite, or a uniquely
 * named MySQL database dropped afterwards, so test files never see each other's rows.
 */
export async function createTestDatabase(service: string, migrations: Migration[], kind: TestDbKind = 'sqlite'): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const knex = await createDatabase({ service, sqliteFile: ':memory:' });
    await runMigrations(knex, migrations);
    return { knex, destroy: () => knex.destroy() };
  }
  const base = process.env.TEST_MYSQL_URL;
  if (!base) throw new Error('TEST_MYSQL_URL is not set');
  const name = `t_${service.replace(/[^a-z0-9]/gi, '_')}_${randomBytes(4).toString('hex')}`;
  const url = `${base.replace(/\/+$/, '').replace(/\/[^/:@]*$/, (m) => (m.includes('@') ? m : ''))}/${name}`;
  const knex = await createDatabase({ service, url });
  await runMigrations(knex, migrations);
  return {
    knex,
    destroy: async () => {
      await knex.raw('DROP DATABASE IF EXISTS ??', [name]).catch(() => undefined);
      await knex.destroy();
    },
  };
}
