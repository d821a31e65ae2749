#!/usr/bin/env node
// Measures the cost of the gateway hop: autocannon against an upstream directly, then the
// same request through the gateway, on 127.0.0.1, bounded in time. Needs a build
// (`npx tsc -b tsconfig.build.json`). Usage (`npm run bench:hop -- [options]` does the same):
//   node bench/hop.mjs [--seconds 5] [--connections 50] [--rounds 2] [--body tiny|messages]
// `tiny`: a trivial upstream (`{"ok":true}`), the worst case for the hop's share.
// `messages`: the upstream serialises 50 messages per request (~12 kB), like GET /msg?limit=50.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { serviceKeyEnv } from './lib/service-key-env.mjs';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');
const jwt = require('jsonwebtoken');

const here = path.dirname(fileURLToPath(import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
};
const seconds = Number(arg('seconds', 5));
const connections = Number(arg('connections', 50));
const rounds = Number(arg('rounds', 2));
const body = arg('body', 'tiny');
const secret = 'bench-secret-that-is-at-least-32-characters-long';

function freePort() {
  return new Promise((resolve) => {
    const s = http.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// The upstream runs in its own process, like message-service would.
const upstreamSource = `
const http = require('http');
const mode = process.env.BODY;
const messages = Array.from({ length: 50 }, (_, i) => ({ id: 1000 - i, channel: 'tech', to: null, from: 'roger',
  text: 'coucou tout le monde, ceci est le message numero ' + i + ' 🦆', timestamp: new Date(1764000000000 + i * 1000).toISOString(),
  reply_to: null, reactions: { '👍': ['ginette'] }, pinned: false, edited_at: null }));
const server = http.createServer((req, res) => {
  const text = mode === 'messages' ? JSON.stringify({ messages, offset: 0, limit: 50, next_offset: 50 }) : '{"ok":true}';
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
});
// Like every CanaDuck service (service-kit's startServer): idle keep-alive sockets live 65 s.
server.keepAliveTimeout = 65000;
server.listen(Number(process.env.PORT), '127.0.0.1');
`;

// The least any Node proxy does: the benchmark's reference proxy (Node's HTTP server and an
// undici Pool, no checks at all). Its figures separate what the hop itself costs on this machine
// from what the gateway adds.
const referenceProxy = path.join(here, 'lib', 'reference-proxy.cjs');

function start(args, env) {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  return child;
}

async function waitFor(url) {
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} did not come up`);
}

/** CPU time (user + system, ms) a process has used so far; Linux only, else null. */
function cpuMs(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

/**
 * One bounded run. Besides throughput it records the CPU each process spent per request:
 * on a busy machine (other jobs on the same cores) throughput mostly measures the scheduler,
 * CPU per request still measures the code.
 */
function run(url, headers) {
  const before = { up: cpuMs(upstream.pid), gw: cpuMs(gateway.pid), bare: cpuMs(bare.pid) };
  return new Promise((resolve, reject) => {
    autocannon({ url, connections, duration: seconds, headers }, (err, result) => {
      if (err) return reject(err);
      const n = result.requests.total || 1;
      const per = (pid, b) => (b === null ? null : ((cpuMs(pid) - b) * 1000) / n);
      resolve({
        ...result,
        cpuUsPerReq: { upstream: per(upstream.pid, before.up), gateway: per(gateway.pid, before.gw), bare: per(bare.pid, before.bare) },
      });
    });
  });
}

const upPort = await freePort();
const gwPort = await freePort();
const barePort = await freePort();
const upstream = start(['-e', upstreamSource], { PORT: String(upPort), BODY: body });
const gateway = start([path.join(here, '..', 'gateway-service', 'dist', 'main.js')], {
  PORT: String(gwPort),
  JWT_SECRET: secret,
  LOG_LEVEL: 'warn',
  NODE_ENV: 'production',
  ...serviceKeyEnv(secret, 'gateway-service'),
  MESSAGE_SERVICE_URL: `http://127.0.0.1:${upPort}`,
  // Nothing listens there: activity batches are dropped, which costs nothing on the hot path.
  USER_SERVICE_URL: `http://127.0.0.1:${await freePort()}`,
  ACTIVITY_FLUSH_MS: '60000',
});
const bare = start([referenceProxy], { REFERENCE_PORT: String(barePort), REFERENCE_TARGET: `http://127.0.0.1:${upPort}` });
const stop = () => {
  upstream.kill();
  gateway.kill();
  bare.kill();
};
process.on('exit', stop);

try {
  await waitFor(`http://127.0.0.1:${upPort}/`);
  await waitFor(`http://127.0.0.1:${gwPort}/health`);
  await waitFor(`http://127.0.0.1:${barePort}/`);
  const token = jwt.sign({ pseudo: 'bench', roles: ['user'] }, secret, {
    algorithm: 'HS256',
    expiresIn: 3600,
    issuer: 'canaduck-user-service',
    audience: 'canaduck-irc',
  });
  const headers = { authorization: `Bearer ${token}` };
  const target = '/msg?channel=tech&limit=50';
  // Warm up the paths (JIT, keep-alive sockets) before measuring.
  for (const port of [gwPort, barePort]) {
    await new Promise((r) => autocannon({ url: `http://127.0.0.1:${port}${target}`, connections, duration: 1, headers }, r));
  }
  const direct = [];
  const through = [];
  const bareRuns = [];
  // Interleaved rounds, so a burst of load from elsewhere hits every contender alike.
  for (let i = 0; i < rounds; i++) {
    const d = await run(`http://127.0.0.1:${upPort}${target}`, headers);
    const b = await run(`http://127.0.0.1:${barePort}${target}`, headers);
    const g = await run(`http://127.0.0.1:${gwPort}${target}`, headers);
    for (const [name, r] of [
      ['direct', d],
      ['bare proxy', b],
      ['gateway', g],
    ]) {
      if (r.non2xx || r.errors) throw new Error(`${name}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
    }
    direct.push(d);
    bareRuns.push(b);
    through.push(g);
  }
  const mean = (xs, f) => xs.reduce((s, x) => s + f(x), 0) / xs.length;
  const dRps = mean(direct, (r) => r.requests.average);
  const gRps = mean(through, (r) => r.requests.average);
  const bRps = mean(bareRuns, (r) => r.requests.average);
  const row = (name, xs, rps) =>
    `${name.padEnd(16)} ${rps.toFixed(0).padStart(8)} req/s   p50 ${mean(xs, (r) => r.latency.p50)
      .toFixed(1)
      .padStart(5)} ms   p99 ${mean(xs, (r) => r.latency.p99)
      .toFixed(1)
      .padStart(5)} ms`;
  console.log(`gateway hop, body=${body}, ${connections} connections, ${rounds} x ${seconds} s each, node ${process.version}`);
  console.log(row('direct', direct, dRps));
  console.log(row('reference proxy', bareRuns, bRps));
  console.log(row('through gateway', through, gRps));
  console.log(`ratio gateway / direct: ${(gRps / dRps).toFixed(2)}   gateway / reference proxy: ${(gRps / bRps).toFixed(2)}`);
  const upCpu = mean(direct, (r) => r.cpuUsPerReq.upstream ?? NaN);
  const gwCpu = mean(through, (r) => r.cpuUsPerReq.gateway ?? NaN);
  const bareCpu = mean(bareRuns, (r) => r.cpuUsPerReq.bare ?? NaN);
  if (Number.isFinite(upCpu) && Number.isFinite(gwCpu)) {
    console.log(
      `CPU per request: upstream ${upCpu.toFixed(0)} us, reference proxy ${bareCpu.toFixed(0)} us, gateway ${gwCpu.toFixed(0)} us`,
    );
  }
} finally {
  stop();
}
