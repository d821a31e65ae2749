// Kill and restart in containers: under a steady write load (POST /msg through the gateway
// container, counting every acknowledged 201), each service container in turn is killed with
// SIGKILL (see killAndAwaitRestart); its restart policy (compose's `restart: unless-stopped`) brings it
// back and its healthcheck turns healthy again. Afterwards every acknowledged message must be
// in GET /msg with its text: nothing acknowledged is lost. A short version of test:faults.
import { client, describe, sleep } from '../../resilience/lib/http.mjs';
import { newChannel, newUser, uniq } from '../../resilience/lib/fixtures.mjs';
import { startLoad, statusCounts } from '../../resilience/lib/load.mjs';
import { docker, inspect, waitHealthy } from './docker.mjs';

/**
 * Kills the container like a crash or the OOM killer would: SIGKILL to its PID 1 from the host.
 * `docker kill` is not used for this: the daemon records it as a stop by hand and then does NOT
 * apply `restart: unless-stopped` (seen on Docker 20.10: RestartCount stays 0, the container
 * stays exited). Without the rights to signal it (not root), `docker kill` then `docker start`,
 * and the report says the policy was not what brought it back.
 */
async function killAndAwaitRestart(container, { say, healthyTimeoutMs }) {
  const before = await inspect(container);
  const t0 = Date.now();
  try {
    process.kill(before.State.Pid, 'SIGKILL');
  } catch (err) {
    say(`  ${container}: cannot signal PID ${before.State.Pid} (${err.code}): docker kill`);
    const k = await docker(['kill', container], { timeoutMs: 15000 });
    if (k.code !== 0) throw new Error(`docker kill ${container}: ${k.stderr}`);
  }
  let byPolicy = false;
  for (let i = 0; i < 30; i++) {
    await sleep(500);
    const now = await inspect(container);
    if (now?.RestartCount > before.RestartCount || (now?.State?.Running && now.State.StartedAt !== before.State.StartedAt)) {
      byPolicy = true;
      break;
    }
  }
  if (!byPolicy) {
    say(`  ${container}: not restarted by its policy within 15 s; docker start`);
    await docker(['start', container], { timeoutMs: 30000 });
  }
  await waitHealthy(container, healthyTimeoutMs);
  return { byPolicy, secondsToHealthy: (Date.now() - t0) / 1000 };
}

/** Runs the scenario; resolves { checks: [{ name, ok, detail }], figures }. */
export async function killRestart({ gatewayUrl, containers, say, healthyTimeoutMs = 120000 }) {
  const gw = client(gatewayUrl);
  const checks = [];
  const check = (name, ok, detail = '') => {
    checks.push({ name, ok, detail });
    say(`${ok ? 'ok' : 'not ok'} - ${name}${detail ? ` (${detail})` : ''}`);
  };
  const writer = await newUser(gw, 'kw');
  const channel = await newChannel(gw, writer, { prefix: 'kill' });
  const acknowledged = new Map();
  const load = startLoad({
    concurrency: 3,
    pauseMs: 50,
    task: async (w, n) => {
      const text = `kill-${w}-${n} ${uniq('t')}`;
      const res = await gw.post('/msg', { channel, text }, { token: writer.token, timeoutMs: 5000 });
      if (res.status === 201 && Number.isInteger(res.json?.id)) acknowledged.set(res.json.id, text);
      return res;
    },
  });
  const restarts = [];
  try {
    await sleep(2000);
    check(
      'steady write load running (POST /msg through the gateway container, 3 workers)',
      acknowledged.size > 0,
      `${acknowledged.size} acknowledged`,
    );
    for (const c of containers) {
      let ackBefore = acknowledged.size;
      try {
        const r = await killAndAwaitRestart(c, { say, healthyTimeoutMs });
        restarts.push({ container: c, ...r });
        check(
          `${c}: killed (SIGKILL), back healthy${r.byPolicy ? ' by its restart policy' : ' (docker start)'}`,
          true,
          `${r.secondsToHealthy.toFixed(1)} s`,
        );
        check(`${c}: restarted by the restart policy (unless-stopped), not by hand`, r.byPolicy);
        ackBefore = acknowledged.size;
      } catch (err) {
        check(`${c}: killed and back healthy`, false, err.message);
      }
      // Writes resume once everything is back.
      const resumed = await waitForMore(acknowledged, ackBefore, 30000);
      check(`${c}: writes acknowledged again once it is back`, resumed);
    }
  } finally {
    await load.stop();
  }
  const counts = statusCounts(load.results);
  say(`load: ${JSON.stringify(counts)}`);
  // Nothing acknowledged lost: read the whole channel back.
  const seen = new Map();
  for (let offset = 0; ; offset += 200) {
    const page = await gw.get(`/msg?channel=${channel}&limit=200&offset=${offset}`, { token: writer.token, timeoutMs: 15000 });
    if (page.status !== 200 || !Array.isArray(page.json?.messages)) {
      check(`GET /msg?channel=${channel} offset ${offset}`, false, describe(page));
      break;
    }
    for (const m of page.json.messages) seen.set(m.id, m.text);
    if (page.json.messages.length < 200) break;
  }
  const lost = [...acknowledged].filter(([id, text]) => seen.get(id) !== text);
  check(
    `every acknowledged message (${acknowledged.size}) is in GET /msg with its text`,
    lost.length === 0 && acknowledged.size > 0,
    lost.length
      ? `lost: ${lost
          .slice(0, 5)
          .map(([id]) => id)
          .join(', ')}`
      : '',
  );
  return {
    checks,
    figures: { acknowledged: acknowledged.size, requests: load.results.length, statuses: counts, lost: lost.length, restarts },
  };
}

async function waitForMore(map, than, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (map.size > than) return true;
    await sleep(250);
  }
  return false;
}
