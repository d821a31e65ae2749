// R5 and R6 for one path to realtime-service (straight to it, or through a gateway process in
// front): connection setup of the subscribers, then 20 posts/s, with the CPU each process spent.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { clock, connect, cpuMs, inBatches, pct, sleep } from './realtime-stack.mjs';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'realtime-subscribers.mjs');
export const POSTS_PER_SECOND = 20;

const cpuOf = (pids) => Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMs(pid)]));
const spentSince = (before, pids) => Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMs(pid) - before[name]]));
const sum = (spent) => Object.values(spent).reduce((a, b) => a + b, 0);
/** CPU milliseconds per `unit` things, per process and in all (`total`). */
const per = (spent, things, unit) => {
  const out = Object.fromEntries(Object.entries(spent).map(([name, ms]) => [name, +((ms / things) * unit).toFixed(1)]));
  return { ...out, total: +((sum(spent) / things) * unit).toFixed(1) };
};

function answer(worker, key) {
  return new Promise((resolve) => {
    const on = (m) => {
      if (m[key] === undefined) return;
      worker.off('message', on);
      resolve(m[key]);
    };
    worker.on('message', on);
  });
}

/**
 * o: { via ('direct' | 'gateway'), url (what the clients connect to), pids ({ name: pid } of the
 * processes on the path), streams, channel, channelId, owner, subscribers, seconds, workers }.
 */
export async function measurePush(o) {
  // Warm-up of the path (JIT, pools): the first path measured would otherwise pay for it alone.
  const warm = await inBatches(200, 100, (i) => connect(o.url, `warm${o.via[0]}${i}`, `channels=${o.channel}`));
  for (let i = 0; i < POSTS_PER_SECOND; i++) {
    await o.streams.post(o.channel, o.channelId, o.owner, clock());
    await sleep(1000 / POSTS_PER_SECOND);
  }
  for (const c of warm) c.ws.terminate();
  await sleep(500);

  const share = Math.ceil(o.subscribers / o.workers);
  const workers = [];
  for (let w = 0; w < o.workers; w++) {
    const count = Math.min(share, o.subscribers - w * share);
    const data = { url: o.url, prefix: `sub${o.via[0]}`, from: w * share, count, query: `channels=${o.channel}` };
    const worker = new Worker(WORKER, { workerData: data });
    await answer(worker, 'started');
    workers.push(worker);
  }

  // Connection setup: every subscriber opens its socket (100 at a time per worker) until live.
  const connectCpu = cpuOf(o.pids);
  const c0 = performance.now();
  const setups = (await Promise.all(workers.map((w) => (w.postMessage('connect'), answer(w, 'setupMs'))))).flat();
  const connectWall = performance.now() - c0;
  const connectSpent = spentSince(connectCpu, o.pids);
  setups.sort((a, b) => a - b);
  await sleep(500);

  // Push: 20 posts/s; every delivery's latency, and the CPU of each process until the last arrived.
  const cpu0 = cpuOf(o.pids);
  const t0 = performance.now();
  const posts = POSTS_PER_SECOND * o.seconds;
  for (let i = 0; i < posts; i++) {
    const due = t0 + (i * 1000) / POSTS_PER_SECOND;
    await sleep(Math.max(0, due - performance.now()));
    await o.streams.post(o.channel, o.channelId, o.owner, clock());
  }
  await sleep(3000);
  const spent = spentSince(cpu0, o.pids);
  const latencies = [];
  for (const w of workers) {
    const got = answer(w, 'latencies');
    w.postMessage('stop');
    for (const l of await got) latencies.push(l);
    await w.terminate();
  }
  latencies.sort((a, b) => a - b);
  const deliveries = latencies.length;
  return {
    via: o.via,
    subscribers: o.subscribers,
    posts,
    deliveries,
    expected: posts * o.subscribers,
    p50_ms: +pct(latencies, 50).toFixed(1),
    p99_ms: +pct(latencies, 99).toFixed(1),
    cpu_ms: spent,
    cpu_ms_per_1000_deliveries: per(spent, deliveries, 1000),
    deliveries_per_cpu_second: Math.round(deliveries / (sum(spent) / 1000)),
    connect: {
      clients: setups.length,
      all_in_ms: Math.round(connectWall),
      p50_ms: +pct(setups, 50).toFixed(1),
      p99_ms: +pct(setups, 99).toFixed(1),
      cpu_ms: connectSpent,
      cpu_ms_per_connect: per(connectSpent, setups.length, 1),
    },
  };
}
