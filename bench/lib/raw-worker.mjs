// The raw baseline: the database work of a route with no HTTP, no framework, no service code.
// MySQL: a mysql2 pool of the service's size (knex's pool max, 10) driven by `connections`
// concurrent loops, through the text protocol like knex. SQLite: better-sqlite3 is synchronous
// and the service keeps one connection, so the loop is one tight sequential loop on one connection
// (concurrency has no meaning there) with the service's pragmas.
// The INSERT loops write into `job.table` / `job.eventsTable` (bench_raw_messages, bench_raw_events:
// copies of messages and events without their triggers, made by run.mjs): message-service's AFTER
// INSERT trigger on messages writes the outbox row, and the single-row INSERT baseline must not
// pay for it.
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';

// The columns the service's lists select (`npm run bench` builds it first); `reactions` only where the
// job asks for it (a database from before migration 004 has no such column).
const { MESSAGE_COLUMNS } = createRequire(import.meta.url)('../../message-service/dist/repositories/rows.js');
const COLUMNS = MESSAGE_COLUMNS.filter((c) => c !== 'reactions');
const INSERT_COLUMNS = [
  'channel',
  'channel_id',
  'to_pseudo',
  'to_key',
  'from_pseudo',
  'from_key',
  'conv_key',
  'text',
  'created_at',
  'reply_to',
  'root_id',
  'pinned',
];

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function sql(q, kind, table = 'messages', reactionsColumn = false) {
  const quote = kind === 'mysql' ? (c) => `\`${c}\`` : (c) => `"${c}"`;
  if (q === 'insert') {
    return `insert into ${quote(table)} (${INSERT_COLUMNS.map(quote).join(', ')}) values (${INSERT_COLUMNS.map(() => '?').join(', ')})`;
  }
  // The service reads a message's reactions from its row (migration 004): the same SELECT reads them too.
  const columns = reactionsColumn ? MESSAGE_COLUMNS : COLUMNS;
  return `select ${columns.map(quote).join(', ')} from ${quote('messages')} where ${quote('channel_id')} = ? order by ${quote('id')} desc limit ?`;
}

const EVENT = (kind, table) =>
  kind === 'mysql'
    ? `insert into \`${table}\` (\`type\`, \`data\`, \`at\`) values (?, ?, ?)`
    : `insert into "${table}" ("type", "data", "at") values (?, ?, ?)`;
const eventParams = (job, id, p) => [
  'message.created',
  JSON.stringify({
    id,
    channel: job.channel,
    channel_id: job.channelId,
    to: null,
    from: job.pseudo,
    text: p[7],
    timestamp: new Date(p[8]).toISOString(),
    reply_to: null,
  }),
  p[8],
];

const REACTIONS = (n) =>
  `select message_id, emoji, pseudo from reactions where message_id in (${Array(n).fill('?').join(', ')}) order by id asc`;

function insertParams(job, i) {
  const now = Date.now();
  return [
    job.channel,
    job.channelId,
    null,
    null,
    job.pseudo,
    job.pseudo.toLowerCase(),
    null,
    `raw insert ${i} ${job.text}`,
    now,
    null,
    null,
    false,
  ];
}

async function runMysql(job) {
  const { kind: _kind, ...conn } = job.target;
  const pool = mysql.createPool({ ...conn, charset: 'utf8mb4', timezone: 'Z', supportBigNumbers: true, connectionLimit: job.poolSize });
  let i = 0;
  const once = async () => {
    if (job.op === 'insert') {
      await pool.query(sql('insert', 'mysql', job.table), insertParams(job, i++));
      return;
    }
    if (job.op === 'insert+event') {
      // What POST /msg does in the database: one transaction, the message and its outbox event.
      const conn = await pool.getConnection();
      try {
        await conn.beginTransaction();
        const p = insertParams(job, i++);
        const [r] = await conn.query(sql('insert', 'mysql', job.table), p);
        await conn.query(EVENT('mysql', job.eventsTable), eventParams(job, r.insertId, p));
        await conn.commit();
      } finally {
        conn.release();
      }
      return;
    }
    const [rows] = await pool.query(sql('select', 'mysql', 'messages', job.reactionsColumn), [job.channelId, 50]);
    if (job.op === 'select+reactions' && rows.length > 0)
      await pool.query(
        REACTIONS(rows.length),
        rows.map((r) => r.id),
      );
  };
  const phase = async (seconds, record) => {
    const end = Date.now() + seconds * 1000;
    const lat = [];
    let ops = 0;
    const loop = async () => {
      while (Date.now() < end) {
        const t = process.hrtime.bigint();
        await once();
        if (record) lat.push(Number(process.hrtime.bigint() - t) / 1e6);
        ops++;
      }
    };
    const t0 = process.hrtime.bigint();
    await Promise.all(Array.from({ length: job.connections }, loop));
    return { ops, seconds: Number(process.hrtime.bigint() - t0) / 1e9, lat };
  };
  if (job.warmup > 0) await phase(job.warmup, false);
  parentPort.postMessage('measuring');
  const r = await phase(job.duration, true);
  await pool.end();
  return r;
}

function runSqlite(job) {
  const db = new Database(job.target.file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const select = db.prepare(sql('select', 'sqlite', 'messages', job.reactionsColumn));
  const insert = job.table ? db.prepare(sql('insert', 'sqlite', job.table)) : null;
  const event = job.eventsTable ? db.prepare(EVENT('sqlite', job.eventsTable)) : null;
  const insertWithEvent = db.transaction((p) => {
    const r = insert.run(p);
    event.run(eventParams(job, Number(r.lastInsertRowid), p));
  });
  const reactionStmts = new Map();
  let i = 0;
  const once = () => {
    if (job.op === 'insert' || job.op === 'insert+event') {
      const p = insertParams(job, i++);
      p[11] = 0;
      if (job.op === 'insert+event') insertWithEvent(p);
      else insert.run(p);
      return;
    }
    const rows = select.all(job.channelId, 50);
    if (job.op === 'select+reactions' && rows.length > 0) {
      if (!reactionStmts.has(rows.length)) reactionStmts.set(rows.length, db.prepare(REACTIONS(rows.length)));
      reactionStmts.get(rows.length).all(rows.map((r) => r.id));
    }
  };
  const phase = (seconds, record) => {
    const end = Date.now() + seconds * 1000;
    const lat = [];
    let ops = 0;
    const t0 = process.hrtime.bigint();
    while (Date.now() < end) {
      const t = process.hrtime.bigint();
      once();
      if (record) lat.push(Number(process.hrtime.bigint() - t) / 1e6);
      ops++;
    }
    return { ops, seconds: Number(process.hrtime.bigint() - t0) / 1e9, lat };
  };
  if (job.warmup > 0) phase(job.warmup, false);
  parentPort.postMessage('measuring');
  const r = phase(job.duration, true);
  db.close();
  return r;
}

const job = workerData;
if (job.op.startsWith('insert') && !(job.table && (job.op === 'insert' || job.eventsTable)))
  throw new Error(`raw ${job.op} needs its own tables (job.table, job.eventsTable)`);
const r = job.target.kind === 'mysql' ? await runMysql(job) : runSqlite(job);
const sorted = Float64Array.from(r.lat).sort();
const target =
  job.op === 'insert'
    ? `raw ${job.target.kind} single-row INSERT INTO ${job.table} (copy of messages, no trigger)`
    : job.op === 'insert+event'
      ? `raw ${job.target.kind} transaction: INSERT INTO ${job.table} + INSERT INTO ${job.eventsTable}`
      : `raw ${job.target.kind} SELECT ... WHERE channel_id=? ORDER BY id DESC LIMIT 50${job.op === 'select+reactions' ? ' + reactions IN (...)' : ''}`;
parentPort.postMessage({ ops: r.ops, seconds: r.seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99), target });
