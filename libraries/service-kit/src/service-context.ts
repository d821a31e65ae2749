import type { TokenSettings } from '@canaduck/auth';
import type { CommonConfig } from '@canaduck/config';
import { createDatabase, runMigrations, type Knex, type Migration } from '@canaduck/db';
import type { Logger } from '@canaduck/logging';

/** The token settings every service derives from the common config. */
export function tokenSettingsFrom(c: CommonConfig): TokenSettings {
  return {
    secret: c.JWT_SECRET,
    issuer: c.JWT_ISSUER,
    audience: c.JWT_AUDIENCE,
    algorithm: c.JWT_ALGORITHM,
    publicKey: c.JWT_PUBLIC_KEY?.replace(/\\n/g, '\n'),
    privateKey: c.JWT_PRIVATE_KEY?.replace(/\\n/g, '\n'),
  };
}

/** Service tokens use their own secret when one is set, else the JWT secret. */
export function serviceSecretFrom(c: CommonConfig): string {
  return c.SERVICE_TOKEN_SECRET ?? c.JWT_SECRET;
}

/**
 * Opens the service's database and migrates it. The database may still be
 * starting (compose, the fault suite): retry for a while before giving up.
 */
export async function openServiceDatabase(
  service: string,
  c: CommonConfig,
  migrations: Migration[],
  logger: Logger,
  attempts = 30,
): Promise<Knex> {
  for (let attempt = 1; ; attempt++) {
    try {
      const knex = await createDatabase({ service, url: c.DATABASE_URL, dataDir: c.DATA_DIR });
      await runMigrations(knex, migrations);
      logger.info({ driver: knex.client.config.client }, 'database ready');
      return knex;
    } catch (err) {
      if (attempt >= attempts) throw err;
      logger.warn({ err: (err as Error).message, attempt }, 'database not reachable yet, retrying');
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
