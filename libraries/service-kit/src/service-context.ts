import { serviceKeysFrom, type ServiceKeys, type TokenSettings } from '@canaduck/auth';
import type { CommonConfig } from '@canaduck/config';
import { createDatabase, isMysqlUrl, pingDatabase, runMigrations, type Knex, type Migration } from '@canaduck/db';
import { startDatabaseWatchdog, type DatabaseWatchdog } from './availability';
import type { Logger } from '@canaduck/logging';

/** The token settings every service derives from the common config. */
export function tokenSettingsFrom(c: CommonConfig): TokenSettings {
  return {
    secret: c.JWT_SECRET ?? '',
    issuer: c.JWT_ISSUER,
    audience: c.JWT_AUDIENCE,
    algorithm: c.JWT_ALGORITHM,
    publicKey: c.JWT_PUBLIC_KEY?.replace(/\\n/g, '\n'),
    privateKey: c.JWT_PRIVATE_KEY?.replace(/\\n/g, '\n'),
  };
}

/** The shared service secret: SERVICE_TOKEN_SECRET when set, else JWT_SECRET (undefined with neither). */
export function serviceSecretFrom(c: CommonConfig): string | undefined {
  return c.SERVICE_TOKEN_SECRET ?? c.JWT_SECRET;
}

/**
 * The service's credentials for internal calls: SERVICE_PRIVATE_KEY and SERVICE_PUBLIC_KEYS, or
 * keys derived from the service secret when neither is set (local runs and tests).
 */
export function serviceKeysOf(service: string, c: CommonConfig): ServiceKeys {
  return serviceKeysFrom({ service, privateKey: c.SERVICE_PRIVATE_KEY, publicKeys: c.SERVICE_PUBLIC_KEYS, secret: serviceSecretFrom(c) });
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
      const knex = await createDatabase({ service, url: c.DATABASE_URL, dataDir: c.DATA_DIR, acquireTimeoutMs: c.DB_ACQUIRE_TIMEOUT_MS });
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

/**
 * Watches a MySQL server over a connection of its own (a busy pool must not look like a dead
 * server, and stuck pings must not hold the service's connections). SQLite is embedded: nothing
 * to watch, undefined.
 */
export async function watchServiceDatabase(
  service: string,
  c: CommonConfig,
  logger: Logger,
): Promise<{ watchdog: DatabaseWatchdog; close: () => Promise<void> } | undefined> {
  if (!isMysqlUrl(c.DATABASE_URL)) return undefined;
  const knex = await createDatabase({ service, url: c.DATABASE_URL, poolMax: 1, acquireTimeoutMs: c.DB_PING_TIMEOUT_MS });
  const watchdog = startDatabaseWatchdog(
    async () => {
      // pingDatabase gives up after twice the timeout so that a lost connection is released.
      if (!(await pingDatabase(knex, c.DB_PING_TIMEOUT_MS * 2))) throw new Error('ping failed');
    },
    { intervalMs: c.DB_PING_INTERVAL_MS, timeoutMs: c.DB_PING_TIMEOUT_MS, logger },
  );
  return {
    watchdog,
    close: async () => {
      watchdog.stop();
      await knex.destroy();
    },
  };
}
