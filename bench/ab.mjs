// A/B check of a proposed change to message-service without editing it: next to a normal stack,
// extra message-service instances run on the same database with a variation (a preloaded
// experiment from bench/lib/experiment-<name>.cjs, or other environment), and GET /msg and
// POST /msg are measured on each, interleaved, so that all see the same machine load.
//   node bench/ab.mjs                  (SQLite; MYSQL_URL=... for MySQL)
// Variants: "baseline" (as shipped) and "no-access-log" (LOG_LEVEL=warn: no per-request line);
// to try a change, add { name, env: { NODE_OPTIONS: '--require <bench/lib/experiment-x.cjs>' } }.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT, SERVICES, serviceEnv } from '../scripts/stack.mjs';
import { startAbStack, waitReady } from './lib/ab-stack.mjs';
import { httpJob, measure } from './lib/load.mjs';
import { loadSettings } from './lib/settings.mjs';

const settings = { ...loadSettings(), basePort: Number(process.env.BENCH_BASE_PORT ?? 6311) };
const say = (msg) => console.log(`\x1b[1m[ab]\x1b[0m ${msg}`);

const variants = [{ name: 'no-access-log', env: { LOG_LEVEL: 'warn' } }];
const { stack, users, channels, secrets, env, dataDir, close } = await startAbStack(settings);
const extra = [];
try {
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
  for (const u of urls.slice(1)) await waitReady(u.url);
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
  await close();
}
