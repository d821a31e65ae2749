// A/B check of gateway builds for R1, without touching the stack's own gateway: next to a normal
// stack, the reference proxy (R1's floor) and extra gateways run from copies of a built
// gateway-service/dist (each copy must sit inside the repository, e.g. under bench/tmp/, so that
// its packages resolve), and `GET /msg?channel=...&limit=50` is measured directly, through the
// reference proxy, through the stack's gateway (the current build) and through each copy,
// interleaved, so that all see the same machine load. CPU per request of every process is printed
// as in the benchmark's results.
//   AB_GATEWAYS=before=bench/tmp/gw-before[,name=dir...] MYSQL_URL=... node bench/ab-gateway.mjs
// Only the MySQL figures answer R1 (bench/findings.md: with SQLite the hop hides on an idle core).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, SERVICES, serviceEnv } from '../scripts/stack.mjs';
import { startAbStack, waitReady } from './lib/ab-stack.mjs';
import { databasePid } from './lib/cpu.mjs';
import { httpJob, measure } from './lib/load.mjs';
import { startReferenceProxy } from './lib/reference-start.mjs';
import { loadSettings } from './lib/settings.mjs';

const settings = { ...loadSettings(), basePort: Number(process.env.BENCH_BASE_PORT ?? 6321) };
const say = (msg) => console.log(`\x1b[1m[ab-gateway]\x1b[0m ${msg}`);
const copies = (process.env.AB_GATEWAYS ?? '')
  .split(',')
  .filter(Boolean)
  .map((spec) => {
    const [name, dir] = spec.split('=');
    const main = path.resolve(ROOT, dir ?? '', 'main.js');
    if (!name || !dir || !fs.existsSync(main)) throw new Error(`AB_GATEWAYS: "${spec}" is not name=<dir holding a built main.js>`);
    return { name, main };
  });

const { stack, users, channels, secrets, env, dataDir, close } = await startAbStack(settings);
const extra = [];
try {
  const gatewaySvc = SERVICES.find((s) => s.short === 'gateway');
  const base = { ...process.env, ...env };
  const pids = Object.fromEntries([...stack.procs].map(([k, p]) => [k, p.pid]));
  const dbPid = settings.kind === 'mysql' ? databasePid() : null;
  if (dbPid) pids.database = dbPid;
  const refPort = settings.basePort + 5;
  const reference = await startReferenceProxy(refPort, stack.url('message'));
  extra.push(reference);
  pids.reference = reference.pid;
  const targets = [
    { name: 'direct', url: stack.url('message') },
    { name: 'reference', url: `http://127.0.0.1:${refPort}` },
    { name: 'gateway', url: stack.url('gateway') },
  ];
  copies.forEach((c, i) => {
    const port = settings.basePort + 6 + i;
    const child = spawn(process.execPath, [c.main], {
      cwd: ROOT,
      env: { ...serviceEnv(gatewaySvc, base, secrets, dataDir), PORT: String(port) },
      stdio: 'ignore',
    });
    extra.push(child);
    pids[`gw:${c.name}`] = child.pid;
    targets.push({ name: `gw:${c.name}`, url: `http://127.0.0.1:${port}` });
  });
  for (const t of targets.slice(3)) await waitReady(t.url);
  settings.cpuPids = () => pids;

  const chan = channels[0];
  const reader = users[1 % users.length];
  say(`GET /msg?channel=${chan.name}&limit=50 on ${targets.map((t) => t.name).join(', ')} (interleaved)`);
  const runs = await measure(
    targets.map((t) => httpJob(t.name, { url: `${t.url}/msg?channel=${chan.name}&limit=50`, token: reader.token, settings })),
    settings,
  );
  console.log(
    `\n${settings.kind}, ${settings.connections} connections, ${settings.duration} s each in ${settings.rounds} interleaved rounds`,
  );
  const direct = runs[0].rps;
  const procs = ['gateway', 'reference', ...copies.map((c) => `gw:${c.name}`), 'message', 'database', 'bench'];
  console.log(`${'target'.padEnd(14)} ${'req/s'.padStart(6)}  /direct  ${procs.map((p) => p.padStart(12)).join('')}  total ms`);
  for (const m of runs) {
    const cpu = m.cpu_ms_per_request;
    const total = Object.values(cpu).reduce((a, v) => a + v, 0);
    const bad = m.bad ? ` (${m.bad} errors)` : '';
    console.log(
      `${m.name.padEnd(14)} ${m.rps.toFixed(0).padStart(6)}  ${(m.rps / direct).toFixed(3).padStart(7)}  ${procs
        .map((p) => (cpu[p] ?? 0).toFixed(3).padStart(12))
        .join('')}  ${total.toFixed(3)}  segments ${m.segments_rps.join('/')}${bad}`,
    );
  }
} finally {
  for (const c of extra) c.kill('SIGTERM');
  await close();
}
