// What bench/realtime.mjs runs against: the three event streams served in this process by
// @canaduck/events, the services as child processes from dist/ on ephemeral ports, and the
// WebSocket client the figures count with. Needs `npm run build` first.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serviceKeyEnv } from './service-key-env.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const { WebSocket } = require('ws');
const express = require('express');
const { EventBackbone, Outbox, outboxMigrations, eventFeedRoutes } = require(path.join(ROOT, 'libraries/events/dist/index.js'));
const { createDatabase, runMigrations } = require(path.join(ROOT, 'libraries/db/dist/index.js'));
const { serviceKeysFrom, signUserToken } = require(path.join(ROOT, 'libraries/auth/dist/index.js'));
const { createLogger } = require(path.join(ROOT, 'libraries/logging/dist/index.js'));

export const JWT_SECRET = 'bench-realtime-secret-at-least-32-characters';
export const SERVICE_SECRET = 'bench-realtime-service-secret-at-least-32-chars';
export const tokens = { secret: JWT_SECRET, issuer: 'canaduck-user-service', audience: 'canaduck-irc', algorithm: 'HS256' };
/** Absolute time in ms with sub-ms precision, comparable across threads. */
export const clock = () => performance.timeOrigin + performance.now();
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
export const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-rt-'));
export const children = [];

export async function freePort() {
  const s = http.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/** A service from its dist/main.js; ready once `readyPath` answers 2xx (the gateway's /ready asks every service). */
export async function startChild(name, env, readyPath = '/ready') {
  const port = await freePort();
  const profile = name === 'realtime-service' && process.env.BENCH_RT_PROFILE;
  const proc = spawn(
    process.execPath,
    [...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []), path.join(ROOT, name, 'dist', 'main.js')],
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
  proc.on('exit', (code, signal) => code !== null && code !== 0 && process.stderr.write(`${name} exited with ${code ?? signal}\n`));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if ((await fetch(`${url}${readyPath}`).catch(() => undefined))?.ok) return { url, proc };
    await sleep(100);
  }
  throw new Error(`${name} not ready`);
}

/** Ends the child processes (SIGINT lets a profiled one write its profile); again is harmless. */
export function stopChildren() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill(process.env.BENCH_RT_PROFILE ? 'SIGINT' : 'SIGKILL');
}

/** CPU milliseconds (user + system) of a process so far, from /proc (Linux). */
export function cpuMs(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) * 10;
}
export const rssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);

/** The three streams as the services serve them (user and channel stay empty here). */
export async function startStreams() {
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
    // The gateway reads the user stream too (its token revocation map), as in production, at
    // user-service's own path (its USER_SERVICE_URL is an origin): the root serves that stream too.
    const feed = eventFeedRoutes(backbone, { serviceKeys, allowedCallers: ['realtime-service', 'gateway-service'] });
    app.use(`/${service}`, feed);
    if (service === 'user') app.use(feed);
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
      // Every backbone first: a long poll it wakes may still read its database, so no pool is
      // destroyed before all of them stopped (else knex logs 'Acquire connection error: aborted').
      for (const p of Object.values(parts)) await p.backbone.stop();
      await sleep(200);
      for (const p of Object.values(parts)) await p.knex.destroy();
    },
  };
}

/**
 * A WebSocket client counting what it receives (message ids, to find losses and duplicates).
 * It resolves once live (the first heartbeat, sent when the server has registered it), with
 * `setupMs`: from opening the socket to that heartbeat.
 */
export async function connect(url, pseudo, query, onMessage) {
  const token = await signUserToken({ pseudo, roles: ['user'] }, tokens, 3600);
  const t0 = performance.now();
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
        client.setupMs = performance.now() - t0;
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

export async function inBatches(n, size, make) {
  const out = [];
  for (let i = 0; i < n; i += size) out.push(...(await Promise.all(Array.from({ length: Math.min(size, n - i) }, (_, j) => make(i + j)))));
  return out;
}
