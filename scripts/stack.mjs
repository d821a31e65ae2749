// Runs the six services as separate processes, exactly as the containers do
// (`node <service>/dist/main.js`), with prefixed logs and restarts on crash.
// Used by `npm start`, the end-to-end test, the benchmark and the fault suite.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkReplicaNeeds, instancesOf, replicaSettings } from './lib/replicas.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const SERVICES = [
  { name: 'user-service', short: 'user', port: 5001, db: 'canaduck_user', color: 36 },
  { name: 'message-service', short: 'message', port: 5002, db: 'canaduck_message', color: 32 },
  { name: 'channel-service', short: 'channel', port: 5003, db: 'canaduck_channel', color: 33 },
  { name: 'stats-service', short: 'stats', port: 5005, db: 'canaduck_stats', color: 35 },
  { name: 'gateway-service', short: 'gateway', port: 5004, db: null, color: 34 },
  { name: 'realtime-service', short: 'realtime', port: 5006, db: null, color: 91 },
];

/**
 * The IRC door: started by `npm start` (startStack's `extra`), not by the e2e, fault and bench
 * runs, which need neither its fixed IRC port (IRC_PORT, default 6667) nor its connections.
 */
export const IRC_SERVICE = { name: 'irc-service', short: 'irc', port: 5007, db: null, color: 31 };

/**
 * Port of a service: USER_SERVICE_PORT etc. override the defaults. Replica k (2, 3...) listens
 * k - 1 offsets higher (REPLICA_PORT_OFFSET, default 100: message-service's second is on 5102).
 */
export function servicePort(svc, env = process.env, replica = 1) {
  const key = `${svc.short.toUpperCase()}_SERVICE_PORT`;
  return Number(env[key] ?? svc.port) + (replica - 1) * Number(env.REPLICA_PORT_OFFSET ?? 100);
}

/**
 * The local run's JWT secret: the environment's, or one generated once and kept in
 * <dataDir>/dev-jwt-secret so that tokens survive a restart. Never in production.
 */
export function resolveSecrets(env, dataDir, log) {
  const out = {};
  for (const key of ['JWT_SECRET', 'SERVICE_TOKEN_SECRET']) {
    if (env[key]) {
      out[key] = env[key];
      continue;
    }
    if (env.NODE_ENV === 'production') throw new Error(`${key} is required in production`);
    const file = path.join(dataDir, `dev-${key.toLowerCase().replace(/_/g, '-')}`);
    if (!fs.existsSync(file)) {
      fs.mkdirSync(dataDir, { recursive: true });
      fs.writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
      log(`${key} not set: generated one for this local run and saved it in ${path.relative(ROOT, file)}`);
    }
    out[key] = fs.readFileSync(file, 'utf8').trim();
  }
  return out;
}

/** `USER_SERVICE_PRIVATE_KEY` for user-service: each service's own key, as .env names it. */
const privateKeyVariable = (svc) => `${svc.name.replace(/-/g, '_').toUpperCase()}_PRIVATE_KEY`;

/**
 * In production every service signs with its own key (the services refuse to start without
 * one): the environment must hold SERVICE_PUBLIC_KEYS and each service's <SERVICE>_PRIVATE_KEY,
 * as node scripts/generate-keys.mjs prints them.
 */
export function checkServiceKeys(env, services) {
  if (env.NODE_ENV !== 'production') return;
  const missing = ['SERVICE_PUBLIC_KEYS', ...services.map(privateKeyVariable)].filter((k) => !env[k]);
  if (missing.length > 0) throw new Error(`${missing.join(', ')}: required in production (node scripts/generate-keys.mjs prints them)`);
}

/**
 * The environment of one process. `instances` (all the stack's processes, see instancesOf) gives
 * each *_SERVICE_URL every replica's address, comma-separated; without it, one address each.
 */
export function serviceEnv(svc, base, secrets, dataDir, replica = 1, instances = []) {
  const env = { ...base, ...secrets, PORT: String(servicePort(svc, base, replica)), DATA_DIR: dataDir };
  for (const other of SERVICES) {
    const replicas = instances.filter((i) => i.svc.short === other.short).map((i) => i.replica);
    env[`${other.short.toUpperCase()}_SERVICE_URL`] = (replicas.length ? replicas : [1])
      .map((r) => `http://127.0.0.1:${servicePort(other, base, r)}`)
      .join(',');
  }
  if (base[privateKeyVariable(svc)]) env.SERVICE_PRIVATE_KEY = base[privateKeyVariable(svc)];
  if (svc.db && base.MYSQL_URL) env.DATABASE_URL = `${base.MYSQL_URL.replace(/\/+$/, '')}/${base.MYSQL_DB_PREFIX ?? ''}${svc.db}`;
  else delete env.DATABASE_URL;
  return env;
}

/**
 * Starts the stack. Options: env, dataDir, quiet (no log echo), restart (default true),
 * onLine(key, line), extra (more services to run, e.g. [IRC_SERVICE]), argv (for --replicas N).
 * Each process has a key: the service's short name, `message#2` for a second replica (REPLICAS).
 * Returns { procs, keys, stop(), kill(key, signal), url(key), waitReady(ms) }.
 */
export function startStack(opts = {}) {
  const baseEnv = { ...process.env, ...(opts.env ?? {}) };
  const dataDir = path.resolve(opts.dataDir ?? baseEnv.DATA_DIR ?? path.join(ROOT, 'data'));
  const log = (msg) => process.stdout.write(`\x1b[1m[stack]\x1b[0m ${msg}\n`);
  const replicas = replicaSettings(
    baseEnv,
    opts.argv ?? [],
    [...SERVICES, ...(opts.extra ?? [])].map((x) => x.short),
  );
  checkReplicaNeeds(replicas, baseEnv);
  checkServiceKeys(baseEnv, [...SERVICES, ...(opts.extra ?? [])]);
  const secrets = resolveSecrets(baseEnv, dataDir, opts.quiet ? () => undefined : log);
  const restart = opts.restart ?? true;
  const state = { stopping: false, procs: new Map(), restarts: new Map(), crashStreak: new Map() };

  const launch = (instance) => {
    const { svc, key, replica } = instance;
    const startedAt = Date.now();
    const child = spawn(process.execPath, [path.join(ROOT, svc.name, 'dist', 'main.js')], {
      cwd: ROOT,
      env: serviceEnv(svc, baseEnv, secrets, dataDir, replica, instances),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    state.procs.set(key, child);
    const prefix = `\x1b[${svc.color}m[${key.padEnd(replicas.count > 1 ? 10 : 7)}]\x1b[0m `;
    for (const stream of [child.stdout, child.stderr]) {
      let buf = '';
      stream.on('data', (chunk) => {
        buf += chunk;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          opts.onLine?.(key, line);
          if (!opts.quiet) process.stdout.write(prefix + line + '\n');
        }
      });
    }
    child.on('exit', (code, signal) => {
      if (state.procs.get(key) === child) state.procs.delete(key);
      if (state.stopping) return;
      const n = (state.restarts.get(key) ?? 0) + 1;
      state.restarts.set(key, n);
      // A quick restart keeps downtime short; back off only while it keeps crashing at start
      // (a service that ran for 30 s before crashing starts a new streak).
      const streak = Date.now() - startedAt > 30000 ? 1 : (state.crashStreak.get(key) ?? 0) + 1;
      state.crashStreak.set(key, streak);
      const name = replica > 1 ? `${svc.name} replica ${replica}` : svc.name;
      if (!opts.quiet) log(`${name} exited (${signal ?? code})${restart ? `, restarting (#${n})` : ''}`);
      if (restart) setTimeout(() => !state.stopping && launch(instance), Math.min(250 * streak, 3000));
    });
  };
  const instances = instancesOf([...SERVICES, ...(opts.extra ?? [])], replicas);
  instances.forEach(launch);
  if (replicas.count > 1 && !opts.quiet) {
    log(`${replicas.count} replicas of ${replicas.services.join(', ')} (ports + ${replicas.offset} each)`);
    if (!baseEnv.REDIS_URL) log('REDIS_URL not set: a realtime ticket is single-use per replica only, and rate limits count per replica');
  }

  const handle = {
    dataDir,
    secrets,
    procs: state.procs,
    restarts: state.restarts,
    /** Every process's key, replicas included (`message`, `message#2`...). */
    keys: instances.map((i) => i.key),
    /** The keys of one service's replicas. */
    replicasOf: (short) => instances.filter((i) => i.svc.short === short).map((i) => i.key),
    /** The address of one process (a replica's key, or a service's short name for its first). */
    url(key) {
      const instance = instances.find((i) => i.key === key);
      return `http://127.0.0.1:${servicePort(instance.svc, baseEnv, instance.replica)}`;
    },
    kill(key, signal = 'SIGKILL') {
      state.procs.get(key)?.kill(signal);
    },
    async waitReady(timeoutMs = 60000, shorts = instances.map((i) => i.key)) {
      const deadline = Date.now() + timeoutMs;
      for (const short of shorts) {
        for (;;) {
          try {
            const res = await fetch(`${handle.url(short)}/ready`, { signal: AbortSignal.timeout(1000) });
            if (res.ok) break;
          } catch {
            /* not up yet */
          }
          if (Date.now() > deadline) throw new Error(`${short} not ready after ${timeoutMs} ms`);
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    },
    async stop() {
      state.stopping = true;
      const exits = [...state.procs.values()].map(
        (p) => new Promise((resolve) => (p.exitCode !== null ? resolve() : p.once('exit', resolve))),
      );
      for (const p of state.procs.values()) p.kill('SIGTERM');
      const force = setTimeout(() => [...state.procs.values()].forEach((p) => p.kill('SIGKILL')), 15000);
      await Promise.all(exits);
      clearTimeout(force);
    },
  };
  return handle;
}

/**
 * Drops the MySQL databases a stack started with MYSQL_DB_PREFIX=<prefix> created (one per
 * service with a database, named as serviceEnv names them). Used by the e2e runner, the
 * resilience suites and the benchmark so their reruns start clean.
 */
export async function dropStackDatabases(mysqlUrl, prefix) {
  const { default: mysql } = await import('mysql2/promise');
  const u = new URL(mysqlUrl.replace(/^mysql2:/i, 'mysql:'));
  const conn = await mysql.createConnection({
    host: u.hostname,
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    connectTimeout: 5000,
  });
  try {
    for (const svc of SERVICES.filter((s) => s.db)) await conn.query(`DROP DATABASE IF EXISTS \`${prefix}${svc.db}\``);
  } finally {
    await conn.end();
  }
}
