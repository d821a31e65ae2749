// A bounded load generator: `concurrency` workers each run `task` in a loop with a
// short pause, so the load is steady and modest (the machine is shared) and stops
// on demand. Every result is kept with its start and end time.
import { sleep } from './http.mjs';

/**
 * startLoad({ concurrency, pauseMs, task(worker, n) -> Promise<result> })
 * Returns { results, since(t), stop() }. Each result gets `startedAt`/`endedAt` (ms epoch).
 */
export function startLoad({ concurrency = 4, pauseMs = 20, maxRequests = 20000, task }) {
  let running = true;
  let issued = 0;
  const results = [];
  const inFlight = new Set();
  const workers = Array.from({ length: concurrency }, async (_, w) => {
    for (let n = 0; running && issued < maxRequests; n++) {
      issued++;
      const startedAt = Date.now();
      const entry = { startedAt };
      inFlight.add(entry);
      let res;
      try {
        res = await task(w, n);
      } catch (err) {
        res = { status: 0, error: err.message };
      }
      inFlight.delete(entry);
      results.push({ ...res, startedAt, endedAt: Date.now() });
      if (pauseMs) await sleep(pauseMs);
    }
  });
  return {
    results,
    /** Requests in flight right now (their start times). */
    inFlight: () => [...inFlight].map((e) => e.startedAt),
    since: (t) => results.filter((r) => r.startedAt >= t),
    between: (a, b) => results.filter((r) => r.startedAt >= a && r.startedAt < b),
    async stop() {
      running = false;
      await Promise.all(workers);
      return results;
    },
  };
}

/** Counts statuses: { '201': 120, '503': 4, 'timeout': 1 }. */
export function statusCounts(results) {
  const out = {};
  for (const r of results) {
    const key = r.status === 0 ? (r.error ?? 'no answer') : String(r.status);
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}
