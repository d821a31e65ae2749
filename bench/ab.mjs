// A/B check of a proposed change to message-service without editing it: next to a normal stack,
// extra message-service instances run on the same database with a variation (a preloaded
// experiment from bench/lib/experiment-<name>.cjs, or other environment), and GET /msg and
// POST /msg are measured on each, interleaved, so that all see the same machine load.
//   node bench/ab.mjs                  (SQLite; MYSQL_URL=... for MySQL)
// Variants: "baseline" (as shipped), "jwt-keyobject" (jsonwebtoken gets a KeyObject, see
// bench/lib/experiment-jwt-keyobject.cjs), "no-access-log" (LOG_LEVEL=warn: no per-request line).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, SERVICES, serviceEnv, startStack } from '../scripts/stack.mjs';
import { dbTarget, dropMysqlDatabases, hasTrigger, openDb } from './lib/db.mjs';
import { httpJob, measure } from './lib/load.mjs';
import { HISTORY_MS, seedAccounts, seedMessages } from './lib/seed.mjs';
import { loadSettings } from './lib/settings.mjs';

const settings = { ...loadSettings(), basePort: Number(process.env.BENCH_BASE_PORT ?? 6311) };
const say = (msg) => console.log(`\x1b[1m[ab]\x1b[0m ${msg}`);
const prefix = `bench_${process.pid}_${Date.now().toString(36)}_`;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'canaduck-ab-'));
const secrets = { JWT_SECRET: randomBytes(32).toString('hex'), SERVICE_TOKEN_SECRET: randomBytes(32).toString('hex') };
const env = {
  ...secrets,
  LOG_LEVEL: settings.logLevel,
  ...Object.fromEntries(
    ['USER', 'MESSAGE', 'CHANNEL', 'GATEWAY', 'STATS'].map((k, i) => [`${k}_SERVICE_PORT`, String(settings.basePort + i)]),
  ),
};
if (settings.kind === 'mysql') Object.assign(env, { MYSQL_URL: settings.mysqlUrl, MYSQL_DB_PREFIX: prefix });
else delete process.env.MYSQL_URL;

const variants = [
  { name: 'jwt-keyobject', env: { NODE_OPTIONS: `--require ${path.join(ROOT, 'bench', 'lib', 'experiment-jwt-keyobject.cjs')}` } },
  { name: 'no-access-log', env: { LOG_LEVEL: 'warn' } },
];
const stack = startStack({ dataDir, env, quiet: true, restart: false });
const extra = [];
try {
  await stack.waitReady(120_000);
  const { users, channels } = await seedAccounts(stack, settings, secrets);
  const db = openDb(dbTarget(settings, dataDir, prefix, 'message'));
  const [{ maxId }] = await db.query('SELECT MAX(id) AS maxId FROM messages');
  const total = settings.small;
  await seedMessages(
    db,
    {
      users,
      channels,
      firstId: Number(maxId ?? 0) + 1,
      startMs: Date.now() - HISTORY_MS,
      // message-service's trigger writes the message.created rows: the seeder must not add them too.
      createdByTrigger: await hasTrigger(db, 'messages', 'messages_created_event'),
    },
    0,
    total,
    settings,
    'seeding',
  );
  await db.close();

  const msgSvc = SERVICES.find((s) => s.short === 'message');
  const base = { ...process.env, ...env };
  const urls = [{ name: 'baseline', url: stack.url('message') }];
  variants.forEach((v, i) => {
    const port = settings.basePort + 5 + i;
    const childEnv = { ...serviceEnv(msgSvc, base, secrets, dataDir), ...v.env, PORT: String(port) };
    const child = spawn(process.execPath, [path.join(ROOT, 'message-service', 'dist', 'main.js')], {
      cwd: ROOT,
      env: childEnv,
      stdio: 'ignore',
    });
    extra.push(child);
    urls.push({ name: v.name, url: `http://127.0.0.1:${port}` });
  });
  for (const u of urls.slice(1)) {
    for (let t = 0; ; t++) {
      const ok = await fetch(`${u.url}/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (t > 300) throw new Error(`${u.name} not ready`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const chan = channels[0];
  const reader = users[1 % users.length];
  say(`GET /msg?channel=${chan.name}&limit=50 on ${urls.map((u) => u.name).join(', ')} (interleaved)`);
  const gets = await measure(
    urls.map((u) => httpJob(`GET /msg ${u.name}`, { url: `${u.url}/msg?channel=${chan.name}&limit=50`, token: reader.token, settings })),
    settings,
  );
  say('POST /msg (interleaved)');
  const posts = await measure(
    urls.map((u) =>
      httpJob(`POST /msg ${u.name}`, {
        url: `${u.url}/msg`,
        method: 'POST',
        token: chan.owner.token,
        body: { channel: chan.name, text: 'a/b post' },
        settings,
      }),
    ),
    settings,
  );
  console.log(
    `\n${settings.kind}, ${settings.connections} connections, ${settings.duration} s each in ${settings.rounds} interleaved rounds`,
  );
  for (const group of [gets, posts]) {
    const b = group[0].rps;
    for (const m of group) {
      const bad = m.bad ? ` (${m.bad} errors)` : '';
      console.log(
        `${m.name.padEnd(28)} ${m.rps.toFixed(0).padStart(6)} req/s  x${(m.rps / b).toFixed(2)}  p50 ${m.p50} ms  segments ${m.segments_rps.join('/')}${bad}`,
      );
    }
  }
} finally {
  for (const c of extra) c.kill('SIGTERM');
  await stack.stop();
  if (settings.kind === 'mysql') await dropMysqlDatabases(settings, prefix);
  fs.rmSync(dataDir, { recursive: true, force: true });
}
