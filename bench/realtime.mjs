#!/usr/bin/env node
// Real-time figures R5-R8 (issue 23), measured in one run on 127.0.0.1, ephemeral ports:
//   R5  1,000 WebSocket subscribers of one channel, 20 posts/s: p50/p99 from the post to receipt
//   R6  deliveries per CPU-second of the realtime process during R5
//   R7  RSS per idle connection of the realtime process with 10,000 connected clients
//   R8  10,000 clients reconnect within 10 s with their cursors: all resume, 0 lost, 0 duplicated
// The message stream is @canaduck/events' outbox + sequencer + feed (what message-service serves
// once it is on the backbone); a "post" is one transactional append to it, timed from the append.
// Needs `npm run build` first. Options: BENCH_RT_SUBSCRIBERS, BENCH_RT_IDLE, BENCH_RT_SECONDS.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { serviceKeyEnv } from './lib/service-key-env.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { WebSocket } = require('ws');
const express = require('express');
const { EventBackbone, Outbox, outboxMigrations, eventFeedRoutes } = require(path.join(ROOT, 'libraries/events/dist/index.js'));
const { createDatabase, runMigrations } = require(path.join(ROOT, 'libraries/db/dist/index.js'));
const { serviceKeysFrom, signServiceToken, signUserToken } = require(path.join(ROOT, 'libraries/auth/dist/index.js'));
const { createLogger } = require(path.join(ROOT, 'libraries/logging/dist/index.js'));

const SUBSCRIBERS = Number(process.env.BENCH_RT_SUBSCRIBERS ?? 1000);
const IDLE = Number(process.env.BENCH_RT_IDLE ?? 10000);
const SECONDS = Number(process.env.BENCH_RT_SECONDS ?? 15);
// R5's subscribers live in worker threads so that reading 20,000 frames/s does not delay the posts.
const WORKERS = Number(process.env.BENCH_RT_WORKERS ?? 2);
/** Absolute time in ms with sub-ms precision, comparable across threads. */
const clock = () => performance.timeOrigin + performance.now();
const POSTS_PER_SECOND = 20;
const JWT_SECRET = 'bench-realtime-secret-at-least-32-characters';
const SERVICE_SECRET = 'bench-realtime-service-secret-at-least-32-chars';
const tokens = { secret: JWT_SECRET, issuer: 'canaduck-user-service', audience: 'canaduck-irc', algorithm: 'HS256' };
const say = (m) => process.stdout.write(`[bench:realtime] ${m}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-rt-'));
const children = [];

async function freePort() {
  const s = http.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

async function startChild(name, env) {
  const port = await freePort();
  const proc = spawn(
    process.execPath,
    [
      ...(name === 'realtime-service' && process.env.BENCH_RT_PROFILE
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_RT_PROFILE}`]
        : []),
      path.join(ROOT, name, 'dist', 'main.js'),
    ],
    {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        ACCESS_LOG: 'off',
        JWT_SECRET,
        SERVICE_TOKEN_SECRET: SERVICE_SECRET,
        ...serviceKeyEnv(SERVICE_SECRET, name),
        DATA_DIR: dataDir,
        PORT: String(port),
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  children.push(proc);
  proc.stderr.on('data', (d) => process.stderr.write(`[${name}] ${d}`));
  proc.on('exit', (code, signal) => code !== null && code !== 0 && say(`${name} exited with ${code ?? signal}`));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if ((await fetch(`${url}/ready`).catch(() => undefined))?.ok) return { url, proc };
    await sleep(100);
  }
  throw new Error(`${name} not ready`);
}

function cpuMs(pid) {
  const rest = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(rest[11]) + Number(rest[12])) * 10;
}
const rssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);

/** The three streams as the services serve them (user and channel stay empty here). */
async function startStreams() {
  const logger = createLogger('bench-streams', 'warn');
  const app = express();
  const parts = {};
  for (const service of ['user', 'channel', 'message']) {
    const knex = await createDatabase({ service: `bench-${service}`, sqliteFile: path.join(dataDir, `${service}-events.sqlite`) });
    await runMigrations(knex, outboxMigrations);
    const backbone = new EventBackbone({ knex, service, logger, pollMs: 5 });
    await backbone.start();
    parts[service] = { knex, backbone, outbox: new Outbox({ knex, service }) };
    const serviceKeys = serviceKeysFrom({ service: `${service}-service`, secret: SERVICE_SECRET });
    app.use(`/${service}`, eventFeedRoutes(backbone, { serviceKeys, allowedCallers: ['realtime-service'] }));
  }
  const server = http.createServer(app).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${server.address().port}`;
  let id = 0;
  return {
    url,
    async post(channel, channelId, from, sentAt) {
      const data = {
        id: ++id,
        channel,
        channel_id: channelId,
        to: null,
        from,
        text: `t${sentAt}`,
        timestamp: new Date().toISOString(),
        reply_to: null,
      };
      const m = parts.message;
      await m.knex.transaction((trx) => m.outbox.append(trx, [{ type: 'message.created', data }]));
      m.backbone.poke();
      return id;
    },
    async close() {
      server.closeAllConnections();
      server.close();
      for (const p of Object.values(parts)) {
        await p.backbone.stop();
        await p.knex.destroy();
      }
    },
  };
}

/** A WebSocket client counting what it receives (message ids, to find losses and duplicates). */
async function connect(url, pseudo, query, onMessage) {
  const token = await signUserToken({ pseudo, roles: ['user'] }, tokens, 3600);
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ws?${query}`, {
      headers: { authorization: `Bearer ${token}` },
      perMessageDeflate: false,
    });
    const client = { ws, cursor: undefined, ids: [] };
    ws.on('message', (raw) => {
      const e = JSON.parse(raw.toString());
      client.cursor = e.cursor;
      if (e.type === 'heartbeat' && !client.live) {
        client.live = true;
        resolve(client);
      }
      if (e.type === 'message.created') {
        client.ids.push(e.data.id);
        onMessage?.(e);
      }
    });
    ws.once('error', reject);
  });
}

async function inBatches(n, size, make) {
  const out = [];
  for (let i = 0; i < n; i += size) out.push(...(await Promise.all(Array.from({ length: Math.min(size, n - i) }, (_, j) => make(i + j)))));
  return out;
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function main() {
  const streams = await startStreams();
  const channels = await startChild('channel-service', {});
  const owner = 'benchowner';
  const channel = `bench${Date.now().toString(36)}`;
  const ownerToken = await signUserToken({ pseudo: owner, roles: ['user'] }, tokens, 3600);
  const created = await fetch(`${channels.url}/channel`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ownerToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: channel }),
  });
  if (created.status !== 201) throw new Error(`channel not created: ${created.status}`);
  const svcToken = await signServiceToken(serviceKeysFrom({ service: 'realtime-service', secret: SERVICE_SECRET }), 'channel-service');
  const channelId = (
    await (
      await fetch(`${channels.url}/internal/channels/${channel}/access/x`, { headers: { authorization: `Bearer ${svcToken}` } })
    ).json()
  ).channel_id;
  const rt = await startChild('realtime-service', {
    CHANNEL_SERVICE_URL: channels.url,
    USER_EVENTS_URL: `${streams.url}/user`,
    CHANNEL_EVENTS_URL: `${streams.url}/channel`,
    MESSAGE_EVENTS_URL: `${streams.url}/message`,
  });
  const pid = rt.proc.pid;
  const results = {};

  // R5 / R6
  say(`R5: ${SUBSCRIBERS} subscribers of #${channel}, ${POSTS_PER_SECOND} posts/s for ${SECONDS} s`);
  const per = Math.ceil(SUBSCRIBERS / WORKERS);
  const workers = Array.from({ length: WORKERS }, (_, w) => {
    const data = { url: rt.url, from: w * per, count: Math.min(per, SUBSCRIBERS - w * per), query: `channels=${channel}` };
    const worker = new Worker(fileURLToPath(import.meta.url), { workerData: data });
    return { worker, ready: new Promise((r) => worker.once('message', r)) };
  });
  await Promise.all(workers.map((w) => w.ready));
  await sleep(500);
  const cpu0 = cpuMs(pid);
  const t0 = performance.now();
  const posts = POSTS_PER_SECOND * SECONDS;
  for (let i = 0; i < posts; i++) {
    const due = t0 + (i * 1000) / POSTS_PER_SECOND;
    await sleep(Math.max(0, due - performance.now()));
    await streams.post(channel, channelId, owner, clock());
  }
  const expected = posts * SUBSCRIBERS;
  await sleep(3000);
  const cpu = cpuMs(pid) - cpu0;
  const latencies = [];
  for (const w of workers) {
    const answer = new Promise((r) => w.worker.on('message', (m) => m.latencies && r(m.latencies)));
    w.worker.postMessage('stop');
    for (const l of await answer) latencies.push(l);
    await w.worker.terminate();
  }
  latencies.sort((a, b) => a - b);
  results.R5 = {
    subscribers: SUBSCRIBERS,
    posts,
    deliveries: latencies.length,
    expected,
    p50_ms: +pct(latencies, 50).toFixed(1),
    p99_ms: +pct(latencies, 99).toFixed(1),
    target_p99_ms: 250,
  };
  results.R6 = {
    deliveries: latencies.length,
    realtime_cpu_ms: cpu,
    deliveries_per_cpu_second: Math.round(latencies.length / (cpu / 1000)),
    target: 12500,
  };
  say(`R5 ${JSON.stringify(results.R5)}`);
  say(`R6 ${JSON.stringify(results.R6)}`);
  await sleep(1000);

  // R7
  say(`R7: ${IDLE} idle connections`);
  global.gc?.();
  const rss0 = rssKb(pid);
  const c0 = performance.now();
  const idle = await inBatches(IDLE, 250, (i) => connect(rt.url, `idle${i}`, `channels=${channel}`));
  const connectedIn = Math.round(performance.now() - c0);
  await sleep(2000);
  const rss1 = rssKb(pid);
  results.R7 = {
    connections: IDLE,
    rss_before_kb: rss0,
    rss_after_kb: rss1,
    kb_per_connection: +((rss1 - rss0) / IDLE).toFixed(1),
    target_kb: 40,
    connected_in_ms: connectedIn,
  };
  say(`R7 ${JSON.stringify(results.R7)}`);

  // R8: all disconnect, 5 posts are missed, all come back within 10 s with their cursors.
  say(`R8: ${IDLE} reconnects within 10 s`);
  const missed = [];
  for (const c of idle) {
    c.before = c.ids.length;
    c.ws.terminate();
  }
  await sleep(500);
  for (let i = 0; i < 5; i++) missed.push(await streams.post(channel, channelId, owner, performance.now()));
  let retries = 0;
  const r0 = performance.now();
  const spread = 10_000 / IDLE;
  const back = await Promise.all(
    idle.map(async (c, i) => {
      await sleep(i * spread * 0.9);
      // A refused or reset attempt is tried again, as a client would (counted).
      for (let attempt = 0; ; attempt++) {
        try {
          return await connect(rt.url, `idle${i}`, `channels=${channel}&after=${c.cursor}`);
        } catch (err) {
          retries++;
          if (attempt >= 5) throw err;
          await sleep(200);
        }
      }
    }),
  );
  const reconnectMs = performance.now() - r0;
  for (let i = 0; i < 50 && back.some((c) => c.ids.length < missed.length); i++) await sleep(100);
  let lost = 0;
  let duplicated = 0;
  for (const c of back) {
    const seen = new Set(c.ids);
    duplicated += c.ids.length - seen.size;
    lost += missed.filter((id) => !seen.has(id)).length;
  }
  results.R8 = {
    clients: IDLE,
    reconnected: back.length,
    within_ms: Math.round(reconnectMs),
    retried_connects: retries,
    missed_each: missed.length,
    lost,
    duplicated,
  };
  say(`R8 ${JSON.stringify(results.R8)}`);
  for (const c of back) c.ws.terminate();

  // One latest file and one history row per run (issue 21: no dated result files in the tree).
  const dir = path.join(ROOT, 'bench', 'results');
  const at = new Date().toISOString();
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'latest-realtime.json'), JSON.stringify({ at, cpus: os.cpus().length, results }, null, 2) + '\n');
  const row = { date: at, bench: 'realtime', subscribers: SUBSCRIBERS, idle: IDLE, loadavg: os.loadavg()[0], ...results };
  fs.appendFileSync(path.join(dir, 'history.jsonl'), JSON.stringify(row) + '\n');
  say('results written to bench/results/latest-realtime.json (and a row in history.jsonl)');
  await streams.close();
}

/** Worker: its share of R5's subscribers; answers their latencies (post time is in the text). */
async function subscriberWorker() {
  const { url, from, count, query } = workerData;
  const latencies = [];
  const clients = [];
  for (let i = 0; i < count; i += 100) {
    const batch = Array.from({ length: Math.min(100, count - i) }, (_, j) =>
      connect(url, `sub${from + i + j}`, query, (e) => latencies.push(clock() - Number(e.data.text.slice(1)))),
    );
    clients.push(...(await Promise.all(batch)));
  }
  parentPort.postMessage({ ready: true });
  parentPort.once('message', () => {
    for (const c of clients) c.ws.terminate();
    parentPort.postMessage({ latencies });
  });
}

if (!isMainThread) void subscriberWorker();
else
  main()
    .catch((err) => {
      console.error(err);
      process.exitCode = 1;
    })
    .finally(() => {
      for (const c of children) c.kill(process.env.BENCH_RT_PROFILE ? 'SIGINT' : 'SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
      setTimeout(() => process.exit(), 500).unref();
    });
