// Load generation: autocannon against HTTP routes, and the raw database loops (in a worker thread,
// so that the driver's work is not slowed by this process's own bookkeeping).
//
// The machine is shared, so its speed drifts over a run. The two sides of a ratio are therefore
// measured interleaved: `rounds` alternating segments of duration/rounds seconds each, so that
// both sides see the same drift. Throughput is total requests / total time; p50 and p99 are the
// medians of the segments' p50 and p99.
import { Worker } from 'node:worker_threads';
import autocannon from 'autocannon';
import { cpuPerRequest, cpuSnapshot } from './cpu.mjs';
import { counterDelta } from './db-counters.mjs';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Waits until the service behind a measurement has finished the requests autocannon left in
 * flight (they keep running server-side after the client closes): its /ready pings the database
 * through the same pool, so it answers once the queue ahead of it has drained.
 */
async function settle(readyUrl) {
  const t0 = Date.now();
  for (;;) {
    try {
      const res = await fetch(readyUrl, { signal: AbortSignal.timeout(120_000) });
      if (res.ok) return;
    } catch {
      /* retried below */
    }
    if (Date.now() - t0 > 180_000) throw new Error(`${readyUrl} did not settle within 180 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** An autocannon job; `settleUrl` (default: the target's own /ready) is awaited after each segment. */
export function httpJob(name, { url, method = 'GET', token, body, settings, settleUrl }) {
  const opts = {
    url,
    method,
    connections: settings.connections,
    pipelining: 1,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  };
  const u = new URL(url);
  return {
    name,
    target: `${method} ${u.pathname}${u.search}`,
    async run(seconds, warmup) {
      const ready = settleUrl ?? `${u.origin}/ready`;
      if (warmup > 0) {
        await autocannon({ ...opts, duration: warmup });
        await settle(ready);
      }
      const db0 = await settings.dbCounters?.snapshot();
      const cpu0 = cpuSnapshot(settings.cpuPids?.() ?? {});
      const r = await autocannon({ ...opts, duration: seconds });
      const cpu = cpuSnapshot(settings.cpuPids?.() ?? {});
      const db = counterDelta(db0, await settings.dbCounters?.snapshot());
      await settle(ready);
      return {
        cpu: Object.fromEntries(Object.keys(cpu).map((k) => [k, cpu[k] - (cpu0[k] ?? cpu[k])])),
        db,
        requests: r.requests.total,
        seconds: r.duration || seconds,
        p50: r.latency.p50,
        p99: r.latency.p99,
        bad: r.non2xx + r.errors + r.timeouts,
      };
    },
  };
}

/** A raw database loop job ('select' | 'select+reactions' | 'insert'); see raw-worker.mjs. */
export function rawJob(name, job) {
  let target = null;
  return {
    name,
    get target() {
      return target;
    },
    run(seconds, warmup, settings) {
      return new Promise((resolve, reject) => {
        let cpu0 = null;
        let db0 = null;
        const worker = new Worker(new URL('./raw-worker.mjs', import.meta.url), { workerData: { ...job, duration: seconds, warmup } });
        // The worker posts 'measuring' once its warm-up is over, then its result.
        worker.on('message', (m) => {
          if (m === 'measuring') {
            cpu0 = cpuSnapshot(settings?.cpuPids?.() ?? {});
            // Read while the loop runs: a few microseconds of counters, not of the measurement.
            db0 = settings?.dbCounters?.snapshot() ?? null;
            return;
          }
          const cpu = cpuSnapshot(settings?.cpuPids?.() ?? {});
          target = m.target;
          const after = settings?.dbCounters?.snapshot() ?? null;
          Promise.all([db0, after]).then(
            ([b, a]) =>
              resolve({
                db: counterDelta(b, a),
                requests: m.ops,
                seconds: m.seconds,
                p50: m.p50,
                p99: m.p99,
                bad: 0,
                cpu: Object.fromEntries(Object.keys(cpu).map((k) => [k, cpu[k] - ((cpu0 ?? cpu)[k] ?? cpu[k])])),
              }),
            reject,
          );
        });
        worker.once('error', reject);
        worker.once('exit', (code) => code !== 0 && reject(new Error(`raw worker exited with ${code}`)));
      });
    },
  };
}

/**
 * Runs the jobs interleaved (`settings.rounds` rounds, each job `duration / rounds` seconds per
 * round, a warm-up before each job's first segment). Any error or non-2xx answer marks the
 * measurement as failed: it is then never used as a figure.
 */
export async function measure(jobs, settings) {
  const rounds = Math.max(1, settings.rounds);
  const seg = settings.duration / rounds;
  const segments = jobs.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let j = 0; j < jobs.length; j++) segments[j].push(await jobs[j].run(seg, r === 0 ? settings.warmup : 0, settings));
  }
  return jobs.map((job, j) => {
    const s = segments[j];
    const requests = s.reduce((a, x) => a + x.requests, 0);
    const seconds = s.reduce((a, x) => a + x.seconds, 0);
    return {
      name: job.name,
      target: job.target,
      rps: requests / seconds,
      // A segment in which no request completed has no latency to count.
      p50: median(s.filter((x) => x.requests > 0).map((x) => x.p50)),
      p99: median(s.filter((x) => x.requests > 0).map((x) => x.p99)),
      requests,
      bad: s.reduce((a, x) => a + x.bad, 0),
      segments_rps: s.map((x) => Math.round(x.requests / x.seconds)),
      cpu_ms_per_request: cpuPerRequest(
        s.reduce((acc, x) => {
          for (const [k, v] of Object.entries(x.cpu ?? {})) acc[k] = (acc[k] ?? 0) + v;
          return acc;
        }, {}),
        requests,
      ),
      db_per_request: dbPerRequest(s, requests),
    };
  });
}

/** The database counters' sum over the segments, per request (null when not read). */
function dbPerRequest(segments, requests) {
  if (requests <= 0 || segments.some((x) => !x.db)) return null;
  const sum = {};
  for (const x of segments) for (const [k, v] of Object.entries(x.db)) sum[k] = (sum[k] ?? 0) + v;
  return Object.fromEntries(Object.entries(sum).map(([k, v]) => [k, v / requests]));
}
