#!/usr/bin/env node
// Real-time figures R5-R8 (issue 23), measured in one run on 127.0.0.1, ephemeral ports:
//   R5  1,000 WebSocket subscribers of one channel, 20 posts/s: p50/p99 from the post to receipt
//   R6  deliveries per CPU-second of the realtime process during R5
//   R7  RSS per idle connection of the realtime process with 10,000 connected clients
//   R8  10,000 clients reconnect within 10 s with their cursors: all resume, 0 lost, 0 duplicated
//   hop R5, its CPU per 1,000 deliveries and the setup of its 1,000 connects, straight to realtime
//       and through a gateway process in front of it (issue 23 item 6: its own Traefik router?)
// The message stream is @canaduck/events' outbox + sequencer + feed (what message-service serves
// once it is on the backbone); a "post" is one transactional append to it, timed from the append.
// Needs `npm run build` first. Options: BENCH_RT_SUBSCRIBERS, BENCH_RT_IDLE, BENCH_RT_SECONDS,
// BENCH_RT_WORKERS, BENCH_RT_VIA (direct | gateway | both, the default), BENCH_RT_PROFILE.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { measurePush, POSTS_PER_SECOND } from './lib/realtime-push.mjs';
import {
  connect,
  dataDir,
  inBatches,
  ROOT,
  rssKb,
  SERVICE_SECRET,
  sleep,
  startChild,
  startStreams,
  stopChildren,
  tokens,
} from './lib/realtime-stack.mjs';

const require = createRequire(import.meta.url);
const { serviceKeysFrom, signServiceToken, signUserToken } = require(path.join(ROOT, 'libraries/auth/dist/index.js'));

const SUBSCRIBERS = Number(process.env.BENCH_RT_SUBSCRIBERS ?? 1000);
const IDLE = Number(process.env.BENCH_RT_IDLE ?? 10000);
const SECONDS = Number(process.env.BENCH_RT_SECONDS ?? 15);
const WORKERS = Number(process.env.BENCH_RT_WORKERS ?? 2);
const VIA = process.env.BENCH_RT_VIA ?? 'both';
if (!['direct', 'gateway', 'both'].includes(VIA)) throw new Error(`BENCH_RT_VIA must be direct, gateway or both (got ${VIA})`);
const say = (m) => process.stdout.write(`[bench:realtime] ${m}\n`);

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

  // R5 / R6, and the gateway hop: the same measurement straight to realtime and through a gateway
  // process in front (it checks each token, revocation included, and tunnels the WebSocket).
  const paths = [];
  if (VIA !== 'gateway') paths.push({ via: 'direct', url: rt.url, pids: { realtime: pid } });
  if (VIA !== 'direct') {
    const gateway = await startChild(
      'gateway-service',
      {
        REALTIME_SERVICE_URL: rt.url,
        // The revocation map reads the user stream from user-service's feed: here, the script's.
        USER_SERVICE_URL: streams.url,
        CHANNEL_SERVICE_URL: channels.url,
        MESSAGE_SERVICE_URL: channels.url,
        STATS_SERVICE_URL: channels.url,
        // No user-service to take the activity batch: never flushed during the run.
        ACTIVITY_FLUSH_MS: '3600000',
      },
      '/health',
    );
    paths.push({ via: 'gateway', url: gateway.url, pids: { realtime: pid, gateway: gateway.proc.pid } });
  }
  const push = {};
  for (const p of paths) {
    say(`R5 (${p.via}): ${SUBSCRIBERS} subscribers of #${channel}, ${POSTS_PER_SECOND} posts/s for ${SECONDS} s`);
    const o = { ...p, streams, channel, channelId, owner, subscribers: SUBSCRIBERS, seconds: SECONDS, workers: WORKERS };
    push[p.via] = await measurePush(o);
    say(`R5 (${p.via}) ${JSON.stringify(push[p.via])}`);
    await sleep(1000);
  }
  const first = push.direct ?? push.gateway;
  results.R5 = {
    via: first.via,
    subscribers: SUBSCRIBERS,
    posts: first.posts,
    deliveries: first.deliveries,
    expected: first.expected,
    p50_ms: first.p50_ms,
    p99_ms: first.p99_ms,
    target_p99_ms: 250,
  };
  results.R6 = {
    via: first.via,
    deliveries: first.deliveries,
    realtime_cpu_ms: first.cpu_ms.realtime,
    deliveries_per_cpu_second: Math.round(first.deliveries / (first.cpu_ms.realtime / 1000)),
    target: 12500,
  };
  results.hop = push;
  if (push.direct && push.gateway) results.hop.added = hopAdded(push.direct, push.gateway);
  say(`R5 ${JSON.stringify(results.R5)}`);
  say(`R6 ${JSON.stringify(results.R6)}`);
  if (results.hop.added) say(`gateway hop adds ${JSON.stringify(results.hop.added)}`);
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
  const row = { date: at, bench: 'realtime', via: VIA, subscribers: SUBSCRIBERS, idle: IDLE, loadavg: os.loadavg()[0], ...results };
  fs.appendFileSync(path.join(dir, 'history.jsonl'), JSON.stringify(row) + '\n');
  say('results written to bench/results/latest-realtime.json (and a row in history.jsonl)');
  // The services first: their long polls of the feeds would otherwise outlive the streams' databases.
  stopChildren();
  await streams.close();
}

/** What the gateway in front adds to the direct path (latency, CPU per 1,000 deliveries, setup). */
function hopAdded(direct, gateway) {
  const d = direct.cpu_ms_per_1000_deliveries.total;
  const g = gateway.cpu_ms_per_1000_deliveries.total;
  return {
    p50_ms: +(gateway.p50_ms - direct.p50_ms).toFixed(1),
    p99_ms: +(gateway.p99_ms - direct.p99_ms).toFixed(1),
    cpu_ms_per_1000_deliveries: +(g - d).toFixed(1),
    cpu_ratio: +(g / d).toFixed(2),
    connect_all_in_ms: gateway.connect.all_in_ms - direct.connect.all_in_ms,
    connect_p99_ms: +(gateway.connect.p99_ms - direct.connect.p99_ms).toFixed(1),
    cpu_ms_per_connect: +(gateway.connect.cpu_ms_per_connect.total - direct.connect.cpu_ms_per_connect.total).toFixed(2),
  };
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => {
    stopChildren();
    fs.rmSync(dataDir, { recursive: true, force: true });
    setTimeout(() => process.exit(), 500).unref();
  });
