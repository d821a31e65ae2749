// The results: a console table, bench/results/latest-<kind>-<messages>.md/.json (the latest run per
// database and size, overwritten) and one row per run appended to bench/results/history.jsonl.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function machine() {
  const cpus = os.cpus();
  const git = (...args) => {
    try {
      return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return null;
    }
  };
  const dirty = git('status', '--porcelain');
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memory_gb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    commit: git('rev-parse', 'HEAD'),
    uncommitted_changes: dirty === null ? null : dirty.split('\n').filter(Boolean).length,
  };
}

/** Resident memory (VmRSS, MB) of each running service process. */
export function serviceMemory(procs) {
  const out = {};
  for (const [short, child] of procs) {
    try {
      const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
      out[short] = Math.round((kb / 1024) * 10) / 10;
    } catch {
      out[short] = null;
    }
  }
  return out;
}

const f1 = (n) => (n === null || n === undefined || Number.isNaN(n) ? '-' : n >= 100 ? n.toFixed(0) : n.toFixed(1));
const f2 = (n) => (n === null || n === undefined || Number.isNaN(n) ? '-' : n.toFixed(2));

function measurementRows(measurements) {
  return measurements.map((m) => [
    m.name,
    m.target,
    f1(m.rps),
    m.requests === 0 ? 'none completed' : f1(m.p50),
    m.requests === 0 ? '-' : f1(m.p99),
    m.bad ? `${m.bad} FAILED` : '0',
  ]);
}

function ratioRows(ratios) {
  return ratios.map((r) => [r.id, r.label, f2(r.value), `${r.op} ${r.target}`, r.pass ? 'pass' : 'FAIL']);
}

function mdTable(head, rows) {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`),
  ].join('\n');
}

function textTable(head, rows) {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => String(c).padEnd(widths[i])).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const CPU_ORDER = ['gateway', 'reference', 'message', 'channel', 'user', 'stats', 'database', 'bench'];

/** Per-request CPU milliseconds of each process, one row per measurement. */
function cpuTable(measurements, table) {
  const names = CPU_ORDER.filter((n) => measurements.some((m) => (m.cpu_ms_per_request?.[n] ?? 0) >= 0.005));
  if (names.length === 0) return '';
  const rows = measurements.map((m) => {
    const c = m.cpu_ms_per_request ?? {};
    const total = names.reduce((a, n) => a + (c[n] ?? 0), 0);
    return [m.name, ...names.map((n) => (c[n] === undefined ? '-' : c[n].toFixed(3))), total.toFixed(3)];
  });
  return table(['measurement', ...names.map((n) => `${n} ms`), 'total ms'], rows);
}

/** The database server's work per request (its global counters), one row per measurement. */
function dbTable(measurements, table) {
  const rows = measurements
    .filter((m) => m.db_per_request)
    .map((m) => {
      const d = m.db_per_request;
      return [m.name, f1(d.statements), f1(d.rows_read), f1(d.pages_touched), f2(d.disk_reads)];
    });
  if (rows.length === 0) return '';
  return table(['measurement', 'statements', 'rows read', 'pages touched', 'pages read from disk'], rows);
}

const M_HEAD = ['measurement', 'request', 'req/s', 'p50 ms', 'p99 ms', 'errors'];
const R_HEAD = ['ratio', 'what', 'value', 'target', 'result'];

export function printResults(result) {
  console.log(`\n${textTable(M_HEAD, measurementRows(result.measurements))}\n`);
  console.log(`${textTable(R_HEAD, ratioRows(result.ratios))}\n`);
  const cpu = cpuTable(result.measurements, textTable);
  if (cpu) console.log(`CPU per request (ms, from /proc):\n${cpu}\n`);
  const db = dbTable(result.measurements, textTable);
  if (db) console.log(`Database work per request (server counters):\n${db}\n`);
  console.log(
    `resident memory after the run (MB): ${Object.entries(result.memory_mb)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}\n`,
  );
}

export function writeResults(result, dir) {
  fs.mkdirSync(dir, { recursive: true });
  const base = `latest-${result.settings.database}-${result.settings.messages}`;
  const s = result.settings;
  const md = [
    `# CanaDuck IRC benchmark, ${result.date} (${s.database})`,
    '',
    `Produced by \`npm run bench\` (bench/run.mjs); how to read it: [bench/README.md](../README.md).`,
    '',
    '## Machine and code',
    '',
    mdTable(
      ['cpu', 'cores', 'memory', 'os', 'node', 'commit'],
      [
        [
          result.machine.cpu,
          result.machine.cores,
          `${result.machine.memory_gb} GB`,
          result.machine.os,
          result.machine.node,
          `${result.machine.commit ?? 'unknown'}${result.machine.uncommitted_changes ? ` (+${result.machine.uncommitted_changes} uncommitted files)` : ''}`,
        ],
      ],
    ),
    '',
    '## Settings',
    '',
    mdTable(
      ['setting', 'value'],
      Object.entries(s).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : v]),
    ),
    '',
    '## Ratios',
    '',
    mdTable(R_HEAD, ratioRows(result.ratios)),
    '',
    '## Measurements',
    '',
    `Each: ${s.warmup_s} s of warm-up (discarded), then ${s.duration_s} s at ${s.connections} concurrent connections on 127.0.0.1.`,
    '',
    mdTable(M_HEAD, measurementRows(result.measurements)),
    '',
    '## CPU per request',
    '',
    'CPU milliseconds one request cost in each process during the measured segments (utime + stime from `/proc/<pid>/stat`, 10 ms ticks; "bench" is the benchmark process: autocannon, or the raw loop\'s worker thread; "database" the MySQL/MariaDB server). With every core busy, throughput is roughly cores / total.',
    '',
    cpuTable(result.measurements, mdTable) || '(not measured)',
    '',
    '## Database work per request',
    '',
    "The database server's global counters (SHOW GLOBAL STATUS: Questions, the sum of Handler_read_*, Innodb_buffer_pool_read_requests, Innodb_buffer_pool_reads) over the measured segments, per request. They include the server's background work and every other database on it." +
      (result.machine.database
        ? ` Server: ${result.machine.database.version}, innodb_buffer_pool_size ${result.machine.database.innodb_buffer_pool_mb} MB, innodb_flush_method ${result.machine.database.innodb_flush_method}.`
        : ''),
    '',
    dbTable(result.measurements, mdTable) || '(not measured: SQLite)',
    '',
    '## Seeding and feed catch-up',
    '',
    mdTable(
      ['phase', 'seconds', 'detail'],
      result.phases.map((p) => [p.name, f1(p.seconds), p.detail ?? '']),
    ),
    '',
    '## Resident memory after the run (VmRSS)',
    '',
    mdTable(
      ['service', 'MB'],
      Object.entries(result.memory_mb).map(([k, v]) => [k, v ?? '-']),
    ),
    '',
    ...(result.notes.length ? ['## Notes', '', ...result.notes.map((n) => `- ${n}`), ''] : []),
  ].join('\n');
  fs.writeFileSync(path.join(dir, `${base}.md`), md);
  fs.writeFileSync(path.join(dir, `${base}.json`), JSON.stringify(result, null, 2) + '\n');
  fs.appendFileSync(path.join(dir, 'history.jsonl'), JSON.stringify(historyRow(result)) + '\n');
  return path.join(dir, `${base}.md`);
}

const rps = (result, name) => result.measurements.find((m) => m.name === name)?.rps ?? null;
const ratio = (a, b) => (a === null || b === null || b === 0 ? null : Math.round((a / b) * 1000) / 1000);
const round3 = (v) => (v === null || v === undefined ? null : Math.round(v * 1000) / 1000);

/** One line of bench/results/history.jsonl: the run's headline figures, so old runs need no file of their own. */
export function historyRow(result) {
  const byId = (id) => result.ratios.filter((r) => r.id === id);
  const r4 = byId('R4').reduce((worst, r) => (worst === null || (r.value ?? Infinity) > (worst.value ?? Infinity) ? r : worst), null);
  const gateway = rps(result, 'GET /msg via gateway');
  const reference = rps(result, 'GET /msg via reference proxy');
  return {
    date: result.date,
    db: result.settings.database,
    messages: result.settings.messages,
    small_messages: result.settings.small_messages,
    R1: round3(byId('R1')[0]?.value),
    gateway_over_reference: ratio(gateway, reference),
    reference_over_direct: ratio(reference, rps(result, 'GET /msg direct')),
    R2: round3(byId('R2')[0]?.value),
    R3: round3(byId('R3')[0]?.value),
    R4_worst: round3(r4?.value),
    R4_worst_route: r4 ? r4.label.replace(/^p50 /, '').replace(/:.*$/, '') : null,
    pass: result.ratios.every((r) => r.pass),
    commit: result.machine.commit ?? null,
    uncommitted_changes: result.machine.uncommitted_changes ?? null,
    node: result.machine.node,
    duration_s: Math.round(result.duration_s),
  };
}
