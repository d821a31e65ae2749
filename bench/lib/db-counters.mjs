// The database server's own counters (MySQL/MariaDB SHOW GLOBAL STATUS), read before and after
// each measured segment, so that each measurement also says how much work one request cost the
// server: statements, rows and index entries read (Handler_read_*), pages touched in the buffer
// pool and pages read from disk. They tell a plan that reads more rows from a server that is merely slower (CPU per request alone
// cannot). Global counters: the server's background threads and the other databases count too.
import mysql from 'mysql2/promise';

/** Handler calls that each read one index entry or row (MariaDB leaves Innodb_rows_read at 0). */
const ROW_READS = [
  'Handler_read_first',
  'Handler_read_key',
  'Handler_read_last',
  'Handler_read_next',
  'Handler_read_prev',
  'Handler_read_rnd',
  'Handler_read_rnd_next',
];

/** Counter name in the results -> status variable. */
const COUNTERS = {
  statements: 'Questions',
  pages_touched: 'Innodb_buffer_pool_read_requests',
  disk_reads: 'Innodb_buffer_pool_reads',
};

/** A reader of the counters over one connection of its own, or null (SQLite). */
export async function databaseCounters(target) {
  if (target.kind !== 'mysql') return null;
  const conn = await mysql.createConnection({ host: target.host, port: target.port, user: target.user, password: target.password });
  const names = [...Object.values(COUNTERS), ...ROW_READS];
  const snapshot = async () => {
    const [rows] = await conn.query(`SHOW GLOBAL STATUS WHERE Variable_name IN (${names.map(() => '?').join(', ')})`, names);
    const byName = new Map(rows.map((r) => [r.Variable_name, Number(r.Value)]));
    // The snapshot's own statement is not the measurement's.
    const out = Object.fromEntries(Object.entries(COUNTERS).map(([k, v]) => [k, (byName.get(v) ?? 0) - (k === 'statements' ? 1 : 0)]));
    out.rows_read = ROW_READS.reduce((a, n) => a + (byName.get(n) ?? 0), 0);
    return out;
  };
  const [[vars]] = await conn.query(
    'SELECT @@version AS version, @@innodb_buffer_pool_size AS buffer_pool, @@innodb_flush_method AS flush_method',
  );
  return {
    snapshot,
    server: {
      version: vars.version,
      innodb_buffer_pool_mb: Math.round(Number(vars.buffer_pool) / 2 ** 20),
      innodb_flush_method: vars.flush_method,
    },
    close: () => conn.end(),
  };
}

/** Counter deltas between two snapshots. */
export function counterDelta(before, after) {
  if (!before || !after) return null;
  return Object.fromEntries(Object.keys(after).map((k) => [k, after[k] - (before[k] ?? after[k])]));
}
