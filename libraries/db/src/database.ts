import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';

export type { Knex };

/** What a domain class needs to open its transactions: the service's knex, and nothing else of it. */
export type Transactor = Pick<Knex, 'transaction'>;

/**
 * What a domain class that changes rows takes besides its repositories and clients
 * (docs/contributing.md rule 3): the transaction it opens, and the clock (tests pass a fixed one).
 */
export interface DomainDeps {
  db: Transactor;
  now: () => number;
}

/** A schema change of one service; the list of them, in order, is that service's history. */
export interface Migration {
  name: string;
  up(knex: Knex): Promise<void>;
  down?(knex: Knex): Promise<void>;
}

export interface DatabaseOptions {
  /** The service's name: the SQLite file is `<dataDir>/<service>.sqlite`. */
  service: string;
  /** `mysql://user:pass@host:port/db`; without it, embedded SQLite. */
  url?: string;
  dataDir?: string;
  /** `:memory:` or a file path, overriding dataDir (tests). */
  sqliteFile?: string;
  poolMax?: number;
  /** How long a query waits for a pool connection before failing (MySQL; default 2000 ms). */
  acquireTimeoutMs?: number;
}

export function isMysqlUrl(url: string | undefined): url is string {
  return !!url && /^mysql2?:\/\//i.test(url);
}

export function isMysql(knex: Knex): boolean {
  const client = knex.client.config.client;
  return client === 'mysql2' || client === 'mysql';
}

function mysqlConnection(url: string): Knex.MySql2ConnectionConfig {
  const u = new URL(url.replace(/^mysql2:/i, 'mysql:'));
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || undefined,
    // utf8mb4 so that emoji survive; dates travel as UTC.
    charset: 'utf8mb4',
    timezone: 'Z',
    dateStrings: false,
    supportBigNumbers: true,
    connectTimeout: 5000,
  };
}

/** Creates the MySQL database named in the URL when it is missing (local runs, tests). */
async function ensureMysqlDatabase(conn: Knex.MySql2ConnectionConfig): Promise<void> {
  if (!conn.database) return;
  const admin = knexFactory({ client: 'mysql2', connection: { ...conn, database: undefined }, pool: { min: 0, max: 1 } });
  try {
    await admin.raw('CREATE DATABASE IF NOT EXISTS ?? CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci', [conn.database]);
  } finally {
    await admin.destroy();
  }
}

/**
 * knex prints every failed connection attempt on the console, stack included. The same error
 * reaches the caller (a 503, a retry at start-up, or the missing-database path below), so
 * those lines are only noise outside the logger; other warnings still go through.
 */
const quietAcquireErrors = {
  warn(message: unknown) {
    if (typeof message === 'string' && message.startsWith('Acquire connection error')) return;
    console.warn(message);
  },
};

export async function createDatabase(opts: DatabaseOptions): Promise<Knex> {
  if (isMysqlUrl(opts.url)) {
    const connection = mysqlConnection(opts.url);
    const make = () =>
      knexFactory({
        client: 'mysql2',
        connection,
        pool: { min: 0, max: opts.poolMax ?? 10 },
        // Short: while the server does not answer, a request must fail fast rather than queue.
        acquireConnectionTimeout: opts.acquireTimeoutMs ?? 2000,
        log: quietAcquireErrors,
      });
    let knex = make();
    try {
      await knex.raw('SELECT 1');
    } catch (err) {
      if ((err as { code?: string }).code !== 'ER_BAD_DB_ERROR') {
        await knex.destroy();
        throw err;
      }
      // A least-privilege production user cannot create databases; the init script does it there.
      await knex.destroy();
      await ensureMysqlDatabase(connection);
      knex = make();
    }
    return knex;
  }
  const filename = opts.sqliteFile ?? path.join(opts.dataDir ?? 'data', `${opts.service}.sqlite`);
  if (filename !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(filename)), { recursive: true });
  return knexFactory({
    client: 'better-sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    // better-sqlite3 is synchronous and single-writer: one connection avoids SQLITE_BUSY.
    pool: {
      min: 1,
      max: 1,
      afterCreate: (db: { pragma(s: string): unknown }, done: (err: Error | null, db: unknown) => void) => {
        try {
          db.pragma('journal_mode = WAL');
          db.pragma('synchronous = NORMAL');
          db.pragma('foreign_keys = ON');
          db.pragma('busy_timeout = 5000');
          done(null, db);
        } catch (err) {
          done(err as Error, db);
        }
      },
    },
  });
}

/** How long a replica waits for another one's migrations (seconds) before its start fails and is retried. */
const MIGRATION_LOCK_WAIT_S = 60;

/**
 * Runs the service's migrations, in order, under knex's migration lock. On MySQL, replicas
 * starting together on a fresh database are first serialized by a named lock (GET_LOCK, held by
 * one connection for the duration): knex's own lock table is created racily, and two replicas
 * can each insert its row, after which knex sees the table locked for good.
 */
export async function runMigrations(knex: Knex, migrations: Migration[], tableName = 'knex_migrations'): Promise<void> {
  const source: Knex.MigrationSource<Migration> = {
    getMigrations: async () => migrations,
    getMigrationName: (m) => m.name,
    getMigration: async (m) => ({ up: m.up, down: m.down ?? (async () => undefined) }),
  };
  const latest = () => knex.migrate.latest({ migrationSource: source, tableName });
  if (!isMysql(knex)) {
    await latest();
    return;
  }
  // A transaction only to hold one connection: the named lock belongs to its session.
  await knex.transaction(async (holder) => {
    const name = "CONCAT('migrations:', MD5(CONCAT(DATABASE(), ':', ?)))";
    const [rows] = (await holder.raw(`SELECT GET_LOCK(${name}, ?) AS got`, [tableName, MIGRATION_LOCK_WAIT_S])) as [
      Array<{ got: number | null }>,
    ];
    if (Number(rows[0]?.got) !== 1)
      throw new Error(`migrations of ${tableName}: another replica held their lock for ${MIGRATION_LOCK_WAIT_S} s`);
    try {
      await latest();
    } finally {
      await holder.raw(`SELECT RELEASE_LOCK(${name})`, [tableName]);
    }
  });
}

/**
 * /ready: is the database answering? knex's own query timeout gives up after `timeoutMs` and
 * destroys that connection, so a stuck one never goes back to the pool; the wait for a free
 * connection is bounded by the pool's acquire timeout. (better-sqlite3 is synchronous: a
 * SQLite ping either answers or throws.)
 */
export async function pingDatabase(knex: Knex, timeoutMs = 1000): Promise<boolean> {
  // knex's timeout starts once a connection is held: with every pool connection stuck on a frozen
  // database the wait for one would hang /ready, so the whole ping is bounded here.
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('database ping timed out')), timeoutMs)));
  try {
    await Promise.race([knex.raw('SELECT 1').timeout(timeoutMs), late]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** Dates to and from the database: always ISO 8601 UTC strings in JSON. */
export function toIso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return new Date(value).toISOString();
  const s = String(value);
  // SQLite gives back what was stored; values without a zone are UTC.
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s.replace(' ', 'T')}Z`);
  return Number.isNaN(d.getTime()) ? s : d.toISOString();
}
