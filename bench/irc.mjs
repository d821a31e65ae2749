#!/usr/bin/env node
// `npm run bench:irc`: the IRC door's two figures (issue 24), on its own stack (ports 6401-6407,
// IRC 6467; BENCH_IRC_BASE_PORT moves them), bounded in time (BENCH_IRC_DEADLINE_S, default 300).
//   R9  relay latency from POST /msg (sent) to receipt by each of BENCH_IRC_CLIENTS (500) IRC
//       clients in that channel: p50 and p99 over BENCH_IRC_MESSAGES (20) messages; target p99 <= 250 ms.
//   R10 RSS of the irc-service process per idle registered connection, with BENCH_IRC_IDLE (5000)
//       connections: (RSS with them - RSS before) / count; target <= 40 KB.
// Clients are guests (IRC_GUESTS=true, BCRYPT_COST=4: each guest is a user-service account).
// Results: bench/results/latest-irc.json and .md.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { IRC_SERVICE, ROOT, SERVICES, startStack } from '../scripts/stack.mjs';

const base = Number(process.env.BENCH_IRC_BASE_PORT ?? 6401);
const CLIENTS = Number(process.env.BENCH_IRC_CLIENTS ?? 500);
const MESSAGES = Number(process.env.BENCH_IRC_MESSAGES ?? 20);
const IDLE = Number(process.env.BENCH_IRC_IDLE ?? 5000);
const DEADLINE = Date.now() + Number(process.env.BENCH_IRC_DEADLINE_S ?? 300) * 1000;
const POLL_MS = process.env.IRC_FEED_POLL_MS ?? '100';
const ircPort = base + 66;
const say = (m) => process.stdout.write(`[bench:irc] ${m}\n`);
// realtime-service is in the stack too (SERVICES): without a port of its own here, its URL was
// `http://127.0.0.1:undefined` and user-service refused to start.
const ports = { user: base, message: base + 1, channel: base + 2, gateway: base + 3, stats: base + 4, realtime: base + 5, irc: base + 6 };
const url = (s) => `http://127.0.0.1:${ports[s]}`;

function left() {
  if (Date.now() > DEADLINE) throw new Error('deadline passed (BENCH_IRC_DEADLINE_S)');
}

function portInUse(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

async function call(method, service, p, { token, body } = {}) {
  const res = await fetch(url(service) + p, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** A raw IRC guest: registers, then hands every line to `onLine`. */
function guest(nick, onLine = () => undefined) {
  return new Promise((resolve, reject) => {
    const s = net.connect(ircPort, '127.0.0.1');
    let buf = '';
    const seen = [];
    const timer = setTimeout(() => (s.destroy(), reject(new Error(`${nick} not registered in time; got: ${seen.join(' | ')}`))), 30000);
    s.setEncoding('utf8');
    s.on('error', reject);
    s.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).replace(/\r$/, '');
        buf = buf.slice(i + 1);
        if (seen.length < 5) seen.push(line.slice(0, 120));
        if (/^:\S+ 263 /.test(line)) {
          clearTimeout(timer);
          s.destroy();
          reject(new Error(`${nick}: ${line}`));
        } else if (/^:\S+ 001 /.test(line)) {
          clearTimeout(timer);
          resolve(s);
        } else if (/^:\S+ (432|433|464) /.test(line) || line.startsWith('ERROR')) reject(new Error(`${nick}: ${line}`));
        if (line.startsWith('PING')) s.write(`PONG ${line.slice(5)}\r\n`);
        onLine(line);
      }
    });
    s.write(`NICK ${nick}\r\nUSER ${nick} 0 * :${nick}\r\n`);
  });
}

/** A guest, asked again (new nick) when user-service was too slow for it. */
async function guestWithRetry(nick, onLine) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await guest(attempt ? `${nick}r${attempt}` : nick, onLine);
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

async function inBatches(n, width, fn) {
  const out = [];
  for (let i = 0; i < n; i += width) {
    left();
    out.push(...(await Promise.all(Array.from({ length: Math.min(width, n - i) }, (_, j) => fn(i + j)))));
    if (process.env.BENCH_IRC_VERBOSE && (i / width) % 10 === 0) say(`  ${i + width}/${n}`);
  }
  return out;
}

const rssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function main() {
  const all = [...Object.values(ports), ircPort];
  const busy = [];
  for (const p of all) if (await portInUse(p)) busy.push(p);
  if (busy.length) throw new Error(`ports in use: ${busy.join(', ')} (set BENCH_IRC_BASE_PORT)`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'canaduck-bench-irc-'));
  const env = {
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    BCRYPT_COST: '4',
    // Guests arrive 50 at a time, each one bcrypt hash: past BCRYPT_MAX_CONCURRENT + BCRYPT_QUEUE_MAX
    // (4 + 32 by default) user-service answers 503 bcrypt_busy; the door's relay is measured, not that.
    BCRYPT_QUEUE_MAX: '1000',
    IRC_GUESTS: 'true',
    IRC_PORT: String(ircPort),
    IRC_TLS_CERT: '',
    IRC_TLS_KEY: '',
    IRC_FEED_POLL_MS: POLL_MS,
    // A loaded machine: the door waits longer for user-service while hundreds of guests arrive.
    HTTP_TIMEOUT_MS: '15000',
    IRC_REGISTRATION_TIMEOUT_MS: '120000',
    IRC_PING_INTERVAL_MS: '600000',
    IRC_PING_TIMEOUT_MS: '1200000',
  };
  for (const s of [...SERVICES, IRC_SERVICE]) env[`${s.short.toUpperCase()}_SERVICE_PORT`] = String(ports[s.short]);
  const logFile = process.env.BENCH_IRC_LOG;
  const stack = startStack({
    dataDir,
    quiet: true,
    env,
    extra: [IRC_SERVICE],
    onLine: (s, l) => logFile && fs.appendFileSync(logFile, `[${s}] ${l}\n`),
  });
  const sockets = [];
  const result = { date: new Date().toISOString(), clients: CLIENTS, messages: MESSAGES, idle: IDLE, feed_poll_ms: Number(POLL_MS) };
  try {
    await stack.waitReady(120000);
    const ircPid = stack.procs.get('irc').pid;
    const id = Date.now().toString(36);
    const poster = { pseudo: `poster${id}`, password: 'bench password 123' };
    await call('POST', 'user', '/register', { body: { ...poster, email: `${poster.pseudo}@bench.example` } });
    const { token } = await call('POST', 'user', '/login', { body: poster });
    const channel = `bench${id}`;
    await call('POST', 'channel', '/channel', { token, body: { name: channel } });

    // R10 first, on a door that has only just started: its baseline is the process alone.
    await new Promise((r) => setTimeout(r, 2000));
    if (IDLE > 0) {
      const before = rssKb(ircPid);
      say(`R10: connecting ${IDLE} idle guests (rss before ${before} KB)`);
      const t0 = Date.now();
      sockets.push(...(await inBatches(IDLE, 50, (i) => guestWithRetry(`i${id}x${i}`))));
      await new Promise((r) => setTimeout(r, 3000));
      const after = rssKb(ircPid);
      result.r10 = {
        rss_before_kb: before,
        rss_after_kb: after,
        per_connection_kb: +((after - before) / IDLE).toFixed(2),
        target_kb: 40,
        seconds_to_connect: (Date.now() - t0) / 1000,
      };
      result.r10.pass = result.r10.per_connection_kb <= 40;
      say(`R10: ${result.r10.per_connection_kb} KB per idle connection (${after} KB with ${IDLE})`);
      await Promise.all(sockets.splice(0).map((s) => new Promise((r) => (s.once('close', r), s.end('QUIT\r\n')))));
    }

    say(`R9: ${CLIENTS} guests join #${channel}`);
    const sent = new Map();
    const latencies = [];
    const received = new Map();
    const onLine = (line) => {
      const m = /PRIVMSG #\S+ :r9 (\d+)$/.exec(line);
      if (!m) return;
      const at = sent.get(Number(m[1]));
      if (at !== undefined) latencies.push(Number(process.hrtime.bigint() - at) / 1e6);
      received.set(Number(m[1]), (received.get(Number(m[1])) ?? 0) + 1);
    };
    const members = await inBatches(CLIENTS, 50, async (i) => {
      const s = await guestWithRetry(`r${id}x${i}`, onLine);
      s.write(`JOIN #${channel}\r\n`);
      return s;
    });
    sockets.push(...members);
    // Every member shown in the channel (the door joined them all).
    for (;;) {
      left();
      const users = await call('GET', 'channel', `/channel/${channel}/users?limit=1000`, { token });
      if (users.users.length >= CLIENTS + 1) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    await new Promise((r) => setTimeout(r, 1000));
    for (let k = 0; k < MESSAGES; k++) {
      left();
      sent.set(k, process.hrtime.bigint());
      await call('POST', 'message', '/msg', { token, body: { channel, text: `r9 ${k}` } });
      await new Promise((r) => setTimeout(r, 300));
    }
    const waitUntil = Math.min(DEADLINE, Date.now() + 10000);
    while (latencies.length < CLIENTS * MESSAGES && Date.now() < waitUntil) await new Promise((r) => setTimeout(r, 200));
    result.r9_received_per_message = [...received.values()];
    latencies.sort((a, b) => a - b);
    result.r9 = {
      deliveries: latencies.length,
      expected: CLIENTS * MESSAGES,
      p50_ms: +pct(latencies, 50).toFixed(1),
      p99_ms: +pct(latencies, 99).toFixed(1),
      max_ms: +latencies[latencies.length - 1].toFixed(1),
      target_p99_ms: 250,
    };
    result.r9.pass = result.r9.deliveries === result.r9.expected && result.r9.p99_ms <= 250;
    say(`R9: p50 ${result.r9.p50_ms} ms, p99 ${result.r9.p99_ms} ms over ${latencies.length}/${CLIENTS * MESSAGES} deliveries`);
  } finally {
    for (const s of sockets) s.destroy();
    await stack.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const dir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'latest-irc.json'), `${JSON.stringify(result, null, 2)}\n`);
  fs.writeFileSync(
    path.join(dir, 'latest-irc.md'),
    `# IRC door bench (${result.date})\n\n| | figure | target | pass |\n| --- | --- | --- | --- |\n` +
      `| R9 relay POST /msg -> ${CLIENTS} IRC clients (${MESSAGES} messages, feeds long-polled) | p50 ${result.r9?.p50_ms} ms, p99 ${result.r9?.p99_ms} ms | p99 <= 250 ms | ${result.r9?.pass} |\n` +
      `| R10 RSS per idle IRC connection (${IDLE} registered guests) | ${result.r10?.per_connection_kb} KB | <= 40 KB | ${result.r10?.pass} |\n`,
  );
  say(JSON.stringify(result));
}

main().catch((err) => {
  say(`error: ${err.stack ?? err}`);
  process.exit(1);
});
