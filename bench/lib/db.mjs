// Direct access to a service's database, for bulk seeding and for reading positions (never for
// measurements through the services). MySQL via a mysql2 pool, SQLite via better-sqlite3 on the
// service's own file (WAL mode lets both the service and this process use it).
import path from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import { dropStackDatabases } from '../../scripts/stack.mjs';

/** Connection settings of a service's database for this run. */
export function dbTarget(settings, dataDir, prefix, service) {
  if (settings.kind === 'mysql') {
    const u = new URL(settings.mysqlUrl.replace(/^mysql2:/i, 'mysql:'));
    return {
      kind: 'mysql',
      host: u.hostname,
      port: u.port ? Number(u.port) : 3306,
      user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
      database: `${prefix}canaduck_${service}`,
    };
  }
  return { kind: 'sqlite', file: path.join(dataDir, `${service}-service.sqlite`) };
}

export function mysqlPool(target, connectionLimit = 4) {
  return mysql.createPool({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    charset: 'utf8mb4',
    timezone: 'Z',
    supportBigNumbers: true,
    connectionLimit,
  });
}

/** A small uniform handle: query(sql, params) -> rows, insertMany(table, columns, rows), close(). */
export function openDb(target) {
  if (target.kind === 'mysql') {
    const pool = mysqlPool(target);
    return {
      kind: 'mysql',
      async query(sql, params = []) {
        const [rows] = await pool.query(sql, params);
        return rows;
      },
      async insertMany(table, columns, rows) {
        if (rows.length === 0) return;
        // One multi-row statement, escaped by the client (no prepared-statement placeholder limit).
        await pool.query(`INSERT INTO \`${table}\` (${columns.map((c) => `\`${c}\``).join(', ')}) VALUES ?`, [rows]);
      },
      async inTransaction(fn) {
        const conn = await pool.getConnection();
        try {
          await conn.beginTransaction();
          const tx = {
            insertMany: async (table, columns, rows) => {
              if (rows.length === 0) return;
              await conn.query(`INSERT INTO \`${table}\` (${columns.map((c) => `\`${c}\``).join(', ')}) VALUES ?`, [rows]);
            },
          };
          await fn(tx);
          await conn.commit();
        } catch (err) {
          await conn.rollback().catch(() => undefined);
          throw err;
        } finally {
          conn.release();
        }
      },
      close: () => pool.end(),
    };
  }
  const db = new Database(target.file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 10000');
  const statements = new Map();
  const insertStmt = (table, columns) => {
    const key = `${table}(${columns.join(',')})`;
    if (!statements.has(key)) {
      statements.set(
        key,
        db.prepare(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`),
      );
    }
    return statements.get(key);
  };
  const insertMany = (table, columns, rows) => {
    const stmt = insertStmt(table, columns);
    for (const r of rows) stmt.run(r);
  };
  return {
    kind: 'sqlite',
    async query(sql, params = []) {
      const stmt = db.prepare(sql);
      return stmt.reader ? stmt.all(params) : (stmt.run(params), []);
    },
    async insertMany(table, columns, rows) {
      db.transaction(() => insertMany(table, columns, rows))();
    },
    async inTransaction(fn) {
      // better-sqlite3 transactions are synchronous: collect the inserts, then run them in one.
      const ops = [];
      await fn({ insertMany: async (table, columns, rows) => void ops.push([table, columns, rows]) });
      db.transaction(() => ops.forEach(([t, c, r]) => insertMany(t, c, r)))();
    },
    close: async () => db.close(),
  };
}

/** Drops this run's MySQL databases (prefix checked so that nothing else can be dropped). */
export async function dropMysqlDatabases(settings, prefix) {
  if (!/^bench_[a-z0-9_]+_$/.test(prefix)) throw new Error(`refusing to drop databases with prefix ${prefix}`);
  await dropStackDatabases(settings.mysqlUrl, prefix);
}

/** Whether the schema query (MySQL or SQLite form, same bindings) finds a row. */
async function schemaHas(db, mysqlSql, sqliteSql, bindings) {
  return (await db.query(db.kind === 'mysql' ? mysqlSql : sqliteSql, bindings)).length > 0;
}

/** Whether `table` has a trigger named `name` (MySQL: in the connection's database). */
export function hasTrigger(db, table, name) {
  return schemaHas(
    db,
    'SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE = ? AND TRIGGER_NAME = ?',
    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? AND name = ?",
    [table, name],
  );
}

/** Whether `table` has a column named `column` (MySQL: in the connection's database). */
export function hasColumn(db, table, column) {
  return schemaHas(
    db,
    'SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?',
    'SELECT name FROM pragma_table_info(?) WHERE name = ?',
    [table, column],
  );
}

/**
 * Creates `copy`, empty, with the columns and indexes of `source` but none of its triggers (MySQL
 * `CREATE TABLE ... LIKE`, which copies FULLTEXT indexes too; SQLite: the table's and its indexes'
 * own DDL, renamed). The raw baselines write there, so that a service's trigger does not make them
 * pay for work that is not theirs. Drop it with dropTable.
 */
export async function createTableLike(db, source, copy) {
  if (!/^bench_raw_[a-z_]+$/.test(copy)) throw new Error(`refusing to create table ${copy}`);
  await dropTable(db, copy);
  if (db.kind === 'mysql') {
    await db.query(`CREATE TABLE \`${copy}\` LIKE \`${source}\``);
    return;
  }
  const ddl = await db.query(
    "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('table', 'index') AND sql IS NOT NULL",
    [source],
  );
  const ident = (name) => `[\`"[]?${name}[\`"\\]]?`;
  const table = ddl.find((d) => d.type === 'table');
  if (!table) throw new Error(`no table ${source} to copy`);
  await db.query(table.sql.replace(new RegExp(`^CREATE TABLE\\s+${ident(source)}`, 'i'), `CREATE TABLE "${copy}"`));
  for (const index of ddl.filter((d) => d.type === 'index')) {
    // Index names are global in SQLite: the copy's get the table's name as a prefix.
    const sql = index.sql
      .replace(
        new RegExp(`^CREATE (UNIQUE )?INDEX\\s+${ident(index.name)}`, 'i'),
        (_m, u) => `CREATE ${u ?? ''}INDEX "${copy}_${index.name}"`,
      )
      .replace(new RegExp(`\\bON\\s+${ident(source)}\\s*\\(`, 'i'), `ON "${copy}" (`);
    if (sql === index.sql) throw new Error(`could not rename index ${index.name} for ${copy}`);
    await db.query(sql);
  }
}

export async function dropTable(db, name) {
  if (!/^bench_raw_[a-z_]+$/.test(name)) throw new Error(`refusing to drop table ${name}`);
  await db.query(db.kind === 'mysql' ? `DROP TABLE IF EXISTS \`${name}\`` : `DROP TABLE IF EXISTS "${name}"`);
}
