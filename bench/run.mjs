// `npm run bench`: builds, starts its own stack on ports 6301-6305 with a fresh data directory
// (MySQL when MYSQL_URL is set, SQLite otherwise), seeds, drives load with autocannon on
// 127.0.0.1, writes bench/results/latest-<db>-<messages>.md/.json and appends a row to
// bench/results/history.jsonl. Settings: bench/README.md.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ROOT, SERVICES, startStack } from '../scripts/stack.mjs';
import { createTableLike, dbTarget, dropMysqlDatabases, dropTable, hasColumn, hasTrigger, openDb } from './lib/db.mjs';
import { httpJob, measure, rawJob } from './lib/load.mjs';
import { databasePid } from './lib/cpu.mjs';
import { databaseCounters } from './lib/db-counters.mjs';
import { startReferenceProxy } from './lib/reference-start.mjs';
import { machine, printResults, serviceMemory, writeResults } from './lib/report.mjs';
import { checkCreatedEvents, HISTORY_MS, HOUR, lastEventSeq, NEEDLE, seedAccounts, seedMessages, waitStatsCaughtUp } from './lib/seed.mjs';
import { loadSettings } from './lib/settings.mjs';

const settings = loadSettings();
const startedAt = new Date();
const say = (msg) => console.log(`\x1b[1m[bench]\x1b[0m ${msg}`);
const phases = [];
const timed = async (name, fn, detail) => {
  const t0 = Date.now();
  const out = await fn();
  phases.push({ name, seconds: (Date.now() - t0) / 1000, detail: typeof detail === 'function' ? detail(out) : detail });
  return out;
};

say(
  `${settings.kind}, ${settings.small} then ${settings.messages} messages, ${settings.connections} connections, ${settings.duration} s per measurement`,
);
say('building the services (tsc -b tsconfig.build.json)');
await timed('build', async () => execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' }));

const prefix = `bench_${process.pid}_${Date.now().toString(36)}_`;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'canaduck-bench-'));
const secrets = { JWT_SECRET: randomBytes(32).toString('hex'), SERVICE_TOKEN_SECRET: randomBytes(32).toString('hex') };
// 5 is the reference proxy's; realtime-service (started by the stack, idle here) takes 6.
const ports = { USER: 0, MESSAGE: 1, CHANNEL: 2, GATEWAY: 3, STATS: 4, REALTIME: 6 };
const env = {
  ...secrets,
  LOG_LEVEL: settings.logLevel,
  STATS_BATCH_SIZE: String(settings.statsBatch),
  ...Object.fromEntries(Object.entries(ports).map(([k, i]) => [`${k}_SERVICE_PORT`, String(settings.basePort + i)])),
};
delete process.env.DATABASE_URL;
if (settings.kind === 'mysql') Object.assign(env, { MYSQL_URL: settings.mysqlUrl, MYSQL_DB_PREFIX: prefix });
else delete process.env.MYSQL_URL;
let profileDir = null;
if (settings.profile) {
  profileDir = path.join(ROOT, 'bench', 'tmp', `profiles-${startedAt.toISOString().replace(/[:.]/g, '-')}`);
  fs.mkdirSync(profileDir, { recursive: true });
  // Node 20 refuses --cpu-prof in NODE_OPTIONS: a preloaded module runs the profiler instead.
  env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --require ${path.join(ROOT, 'bench', 'lib', 'cpu-profile.cjs')}`.trim();
  env.BENCH_PROFILE_DIR = profileDir;
  say(`profiling every service into ${path.relative(ROOT, profileDir)}`);
}

// Another stack on these ports would answer our readiness checks with its own secrets; the sixth
// port is the reference proxy's (R1's floor, bench/lib/reference-proxy.cjs).
const REFERENCE_PORT = settings.basePort + 5;
for (const i of [...Object.values(ports), 5]) {
  const port = settings.basePort + i;
  const busy = await new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port }, () => (sock.destroy(), resolve(true)));
    sock.once('error', () => resolve(false));
  });
  if (busy) {
    console.error(`[bench] port ${port} is already in use: set BENCH_BASE_PORT to a free range of 7 ports`);
    process.exit(1);
  }
}

const experiment = process.env.BENCH_EXPERIMENT || null;
if (experiment) {
  const file = path.join(ROOT, 'bench', 'lib', `experiment-${experiment}.cjs`);
  if (!fs.existsSync(file)) throw new Error(`unknown BENCH_EXPERIMENT ${experiment} (no ${path.relative(ROOT, file)})`);
  env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? process.env.NODE_OPTIONS ?? ''} --require ${file}`.trim();
  say(`EXPERIMENT ${experiment}: the services run with ${path.relative(ROOT, file)} preloaded; these are not the project's figures`);
}

const lastErrors = [];
const stack = startStack({
  dataDir,
  env,
  quiet: true,
  restart: false,
  onLine: (svc, line) => {
    if (!/"level":(10|20|30)\b/.test(line)) lastErrors.push(`${svc}: ${line.slice(0, 400)}`);
    if (lastErrors.length > 30) lastErrors.shift();
  },
});
const pids = () => Object.fromEntries([...stack.procs].map(([k, p]) => [k, p.pid]));
// Per-request CPU of each process in every measurement (bench/lib/cpu.mjs); the database server
// counts only when it runs on this machine (MySQL); SQLite runs inside the services.
const dbPid = settings.kind === 'mysql' ? databasePid() : null;
settings.cpuPids = () => ({ ...pids(), ...(dbPid ? { database: dbPid } : {}) });
let msgDb;
let statsDb;
let reference = null;
let interrupted = false;
const cleanup = async () => {
  reference?.kill('SIGTERM');
  await stack.stop().catch(() => undefined);
  await msgDb?.close().catch(() => undefined);
  await statsDb?.close().catch(() => undefined);
  await settings.dbCounters?.close().catch(() => undefined);
  if (settings.kind === 'mysql') await dropMysqlDatabases(settings, prefix).catch((e) => say(`could not drop the databases: ${e.message}`));
  fs.rmSync(dataDir, { recursive: true, force: true });
};
process.once('SIGINT', () => {
  interrupted = true;
  say('interrupted: stopping the stack and cleaning up');
  cleanup().finally(() => process.exit(130));
});

try {
  await timed('start the stack', () => stack.waitReady(120_000));
  if (stack.procs.size !== SERVICES.length)
    throw new Error(`only ${[...stack.procs.keys()].join(', ') || 'no service'} running after start`);
  say(
    `stack ready: ${Object.entries(pids())
      .map(([k, pid]) => `${k} pid ${pid}`)
      .join(', ')}`,
  );
  const { users, channels } = await timed(
    'accounts and channels through the APIs',
    () => seedAccounts(stack, settings, secrets),
    `${settings.users} users, ${settings.channels} channels`,
  );
  const reader = users[1 % users.length];
  const poster = channels[0].owner;
  const chan = channels[0];

  msgDb = openDb(dbTarget(settings, dataDir, prefix, 'message'));
  // The server's counters around every measured segment (MySQL only; bench/lib/db-counters.mjs).
  settings.dbCounters = await databaseCounters(dbTarget(settings, dataDir, prefix, 'message'));
  statsDb = openDb(dbTarget(settings, dataDir, prefix, 'stats'));
  const [{ maxId }] = await msgDb.query('SELECT MAX(id) AS maxId FROM messages');
  const ctx = { users, channels, firstId: Number(maxId ?? 0) + 1, startMs: startedAt.getTime() - HISTORY_MS };

  const grow = async (from, to, label) => {
    await timed(
      `bulk insert of messages ${from}-${to}`,
      () => seedMessages(msgDb, ctx, from, to, settings, label),
      `${to - from} messages + events${ctx.createdByTrigger ? " (message.created by message-service's trigger)" : ''}, batches of ${settings.batch}`,
    );
    await checkCreatedEvents(msgDb);
    const seq = await lastEventSeq(msgDb);
    const c = await timed(
      `stats-service feed catch-up to ${to} messages`,
      () => waitStatsCaughtUp(statsDb, msgDb, stack, reader.token, seq, settings.catchupTimeoutS, 'stats catch-up'),
      (r) => `${r.events} events, ${Math.round(r.rate)} events/s`,
    );
    return c;
  };

  // R4: the same requests at both sizes, straight on the service that answers them.
  const deepCursor = async () => {
    const rows = await msgDb.query('SELECT id FROM messages WHERE channel_id = ? ORDER BY id ASC LIMIT 1 OFFSET 60', [chan.channelId]);
    return Number(rows[0].id);
  };
  const growthSet = async (size) => {
    const stats = stack.url('stats');
    const message = stack.url('message');
    const before = await deepCursor();
    const list = [
      ['active-channels', `${stats}/stats/active-channels`],
      ['hourly-activity', `${stats}/stats/hourly-activity`],
      ['messages-per-user', `${stats}/stats/messages-per-user`],
      ['top-reacted-messages', `${stats}/stats/top-reacted-messages`],
      ['deep history (before=)', `${message}/msg?channel=${chan.name}&limit=50&before=${before}`],
      ['search in a channel', `${message}/msg/search?q=${NEEDLE}&channel=${chan.name}&limit=50`],
      ['search everywhere', `${message}/msg/search?q=${NEEDLE}&limit=50`],
    ];
    const out = [];
    for (const [key, url] of list) {
      say(`measuring ${key} at ${size} messages`);
      const [m] = await measure([httpJob(`${key} @ ${size}`, { url, token: reader.token, settings })], settings);
      out.push({ key, size, ...m });
    }
    return out;
  };

  const seedTrigger = await hasTrigger(msgDb, 'messages', 'messages_created_event');
  ctx.createdByTrigger = seedTrigger;
  await grow(0, settings.small, `seeding ${settings.small}`);
  const smallSet = await growthSet(settings.small);
  await grow(settings.small, settings.messages, `growing to ${settings.messages}`);
  const bigSet = await growthSet(settings.messages);

  // R1-R3 at the big size, each ratio's two sides interleaved.
  const target = dbTarget(settings, dataDir, prefix, 'message');
  const reactionsColumn = await hasColumn(msgDb, 'messages', 'reactions');
  const raw = (name, op, extra = {}) =>
    rawJob(name, {
      ...extra,
      op,
      target,
      reactionsColumn,
      connections: settings.connections,
      poolSize: 10,
      channel: chan.name,
      channelId: chan.channelId,
      pseudo: poster.pseudo,
      text: 'benchmark post',
    });
  const listPath = `/msg?channel=${chan.name}&limit=50`;
  reference = await startReferenceProxy(REFERENCE_PORT, stack.url('message'));
  const cpuPids = settings.cpuPids;
  settings.cpuPids = () => ({ ...cpuPids(), reference: reference.pid });
  say('measuring GET /msg through the gateway, through the reference proxy, directly, and the raw SELECT loops (interleaved)');
  const [viaGateway, viaReference, direct, rawSelect, rawSelectReactions] = await measure(
    [
      httpJob('GET /msg via gateway', {
        url: stack.url('gateway') + listPath,
        token: reader.token,
        settings,
        settleUrl: `${stack.url('message')}/ready`,
      }),
      httpJob('GET /msg via reference proxy', {
        url: `http://127.0.0.1:${REFERENCE_PORT}${listPath}`,
        token: reader.token,
        settings,
        settleUrl: `${stack.url('message')}/ready`,
      }),
      httpJob('GET /msg direct', { url: stack.url('message') + listPath, token: reader.token, settings }),
      raw('raw SELECT', 'select'),
      raw('raw SELECT + reactions', 'select+reactions'),
    ],
    settings,
  );
  // The raw INSERT loops write into trigger-less copies of messages and events (same columns and
  // indexes, FULLTEXT included on MySQL): message-service's AFTER INSERT trigger on messages writes
  // the message.created outbox row, which a raw single-row INSERT must not pay for, and the copies
  // keep the raw rows out of the service's feed (stats-service would aggregate them).
  const rawTables = { table: 'bench_raw_messages', eventsTable: 'bench_raw_events' };
  await createTableLike(msgDb, 'messages', rawTables.table);
  await createTableLike(msgDb, 'outbox_events', rawTables.eventsTable);
  say(`measuring POST /msg directly and the raw INSERT loops into ${rawTables.table} (interleaved)`);
  let post, rawInsert, rawInsertEvent;
  try {
    [post, rawInsert, rawInsertEvent] = await measure(
      [
        httpJob('POST /msg direct', {
          url: stack.url('message') + '/msg',
          method: 'POST',
          token: poster.token,
          body: { channel: chan.name, text: 'benchmark post 🦆' },
          settings,
        }),
        raw('raw INSERT', 'insert', rawTables),
        raw('raw INSERT + event (transaction)', 'insert+event', rawTables),
      ],
      settings,
    );
  } finally {
    await dropTable(msgDb, rawTables.table);
    await dropTable(msgDb, rawTables.eventsTable);
  }

  const memory_mb = serviceMemory(stack.procs);
  const ratio = (id, label, num, den, op, value) => {
    const v = num.bad || den.bad ? NaN : num.rps / den.rps;
    return { id, label, value: v, op, target: value, pass: Number.isFinite(v) && (op === '>=' ? v >= value : v <= value) };
  };
  const ratios = [
    ratio('R1', 'GET /msg req/s: gateway / direct', viaGateway, direct, '>=', 0.75),
    ratio('R2', `GET /msg req/s: direct / raw ${settings.kind} SELECT loop`, direct, rawSelect, '>=', 0.5),
    ratio('R3', `POST /msg req/s: direct / raw ${settings.kind} INSERT loop`, post, rawInsert, '>=', 0.4),
  ];
  for (const big of bigSet) {
    const small = smallSet.find((s) => s.key === big.key);
    const v = big.bad || small.bad || !(big.p50 > 0) || !(small.p50 > 0) ? NaN : big.p50 / small.p50;
    ratios.push({
      id: 'R4',
      label: `p50 ${big.key}: ${settings.messages} / ${settings.small}`,
      value: v,
      op: '<=',
      target: 2,
      pass: Number.isFinite(v) && v <= 2,
    });
  }
  const notes = [
    `Messages are seeded straight into message-service's tables (messages, reactions, events) in transactions of ${settings.batch}, one message in ${settings.reactionEvery} with 1-5 reactions; ${seedTrigger ? "message.created events come from message-service's AFTER INSERT trigger on messages, the seeder writes only reaction events" : 'the seeder writes the message.created and reaction events (no trigger on messages)'}; accounts and channels go through the APIs. Each stage (the first ${settings.small} messages, then the growth) spreads its messages over the same ${HISTORY_MS / HOUR} hours ending at the start of the run, ids increasing with time within a stage, so the small database covers the big one's hours, channels and users at a lower density.`,
    `R3's raw INSERT loop writes into ${rawTables.table}, a copy of messages with its columns and indexes but no trigger (message-service's trigger writes the message.created row; the raw single-row INSERT must not pay for it).`,
    `R3 also measured against a raw transaction doing what POST /msg did in the database before the trigger (BEGIN, INSERT message, INSERT event, COMMIT; into the trigger-less copies): ${(post.rps / rawInsertEvent.rps).toFixed(2)}; the raw transaction itself runs at ${(rawInsertEvent.rps / rawInsert.rps).toFixed(2)} of the single-row INSERT.`,
    `R1's floor, measured in the same rounds: the same request through a reference proxy that only forwards (bench/lib/reference-proxy.cjs: Node's HTTP server and an undici Pool, no checks, no added headers) / directly: ${(viaReference.rps / direct.rps).toFixed(2)}; the gateway / the reference proxy: ${(viaGateway.rps / viaReference.rps).toFixed(2)}.`,
    `R2 also measured against the messages query plus the reactions query the service runs for a page: ${(direct.rps / rawSelectReactions.rps).toFixed(2)}.`,
    settings.kind === 'sqlite'
      ? 'SQLite: the raw loops run better-sqlite3 on one connection in a worker thread, sequentially (the driver is synchronous and the service also uses one connection).'
      : "MySQL: the raw loops use a mysql2 pool of 10 connections (the services' knex pool size) driven by as many concurrent loops as autocannon has connections, in a worker thread.",
    "R4 latencies are autocannon's (whole milliseconds); a measurement without a p50 (no request completed) fails its ratio.",
  ];
  const findingsFile = path.join(ROOT, 'bench', 'findings.md');
  if (fs.existsSync(findingsFile))
    notes.push(`Findings and proposed fixes (bench/findings.md):\n\n${fs.readFileSync(findingsFile, 'utf8').trim()}`);
  const changesFile = path.join(ROOT, 'bench', 'changes.md');
  if (fs.existsSync(changesFile))
    notes.push(`Changes made to the services for these figures: see below.\n\n${fs.readFileSync(changesFile, 'utf8').trim()}`);
  const result = {
    date: startedAt.toISOString(),
    duration_s: (Date.now() - startedAt.getTime()) / 1000,
    machine: { ...machine(), ...(settings.dbCounters ? { database: settings.dbCounters.server } : {}) },
    settings: {
      database: settings.kind,
      messages: settings.messages,
      small_messages: settings.small,
      connections: settings.connections,
      duration_s: settings.duration,
      warmup_s: settings.warmup,
      rounds: settings.rounds,
      users: settings.users,
      channels: settings.channels,
      log_level: settings.logLevel,
      stats_batch_size: settings.statsBatch,
      profiling: !!settings.profile,
      experiment,
    },
    ratios,
    measurements: [
      viaGateway,
      viaReference,
      direct,
      rawSelect,
      rawSelectReactions,
      post,
      rawInsert,
      rawInsertEvent,
      ...smallSet,
      ...bigSet,
    ],
    phases,
    memory_mb,
    pids: pids(),
    notes,
  };
  printResults(result);
  // An experiment's (or a profiled run's) figures never replace the project's latest results.
  const file = writeResults(result, path.join(ROOT, 'bench', experiment || settings.profile ? 'tmp' : 'results'));
  say(`results written to ${path.relative(ROOT, file)} (and a row in history.jsonl beside it)`);
  if (profileDir)
    say(
      `profiles: ${path.relative(ROOT, profileDir)} (pids ${JSON.stringify(result.pids)}); summarise with node bench/profile-summary.mjs <file>`,
    );
} catch (err) {
  if (!interrupted) {
    console.error(`\n[bench] failed: ${err.stack ?? err}`);
    if (lastErrors.length) console.error(`last service errors:\n${lastErrors.join('\n')}`);
    process.exitCode = 1;
  }
} finally {
  if (!interrupted) await cleanup();
}
