#!/usr/bin/env node
// Replica suite (`npm run test:replicas`): the local stack with two replicas each of message-,
// channel-, stats- and realtime-service (REPLICAS=2) on MySQL and a private NATS server. The e2e
// checks run through the gateway; then, under a steady write load, one replica of each of those
// services is killed -9 in turn (the launcher restarts it). Afterwards: no acknowledged message
// lost, stats totals equal to the database's counts (two stats replicas read one stream), one dense
// sequence per service, revocation at every replica within 1 s, and a realtime client of the killed
// realtime replica resumed on the other with nothing missed. Loopback only: ports 6401-6406 and
// 6501-6506 (REPLICAS_BASE_PORT moves them), databases rs_replicas_<random>_*, its own NATS
// server and namespace; Redis (REDIS_URL, default 127.0.0.1:6379) for realtime's used tickets.
// Options: --no-build, --verbose, --keep. Bounded to 4 minutes.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { acknowledgedLost, checkNothingLost, join, newChannel, newUser, readChannel, uniq } from './lib/fixtures.mjs';
import { call, client, describe, sleep, waitFor } from './lib/http.mjs';
import { startLoad, statusCounts } from './lib/load.mjs';
import { startPrivateNats, verifyStreams } from './lib/event-backbone.mjs';
import { denseStream, realtimeWatcher, revocationAtEveryReplica } from './lib/replica-checks.mjs';
import { parseArgs, startSuiteStack } from './lib/run.mjs';
import { Tally } from './lib/tally.mjs';
import { CHECK_DIR, runCheck } from '../scripts/lib/run-check.mjs';

const BASE_PORT = Number(process.env.REPLICAS_BASE_PORT ?? 6400);
// The IRC door is not part of this stack; the browser check needs Chromium and proves nothing about replicas.
const E2E_FILES = (process.env.REPLICAS_E2E ?? '00-stack.mjs,10-smoke.sh,20-hoppscotch.sh,40-openapi.mjs,60-realtime.mjs').split(',');
const KILLED = ['message', 'channel', 'stats', 'realtime#2'];
const tally = new Tally();

if (parseArgs().sqlite) {
  process.stderr.write('[replicas] replicas need MySQL (two processes on one SQLite file are not supported): --sqlite is refused\n');
  process.exit(2);
}
const natsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'canaduck-replicas-nats-'));
const nats = await startPrivateNats(natsDir);
const namespace = `rs_replicas_${randomBytes(3).toString('hex')}`;
const run = await startSuiteStack({
  name: 'replicas',
  basePort: BASE_PORT,
  budgetMs: 240_000,
  extraEnv: {
    NATS_URL: nats.url,
    NATS_NAMESPACE: namespace,
    REPLICAS: '2',
    REPLICA_PORT_OFFSET: '100',
    REPLICA_SERVICES: '',
    // A ticket is single-use across realtime replicas only through Redis (the machine's, started by .ci/run).
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    RATE_LIMIT_KEY_PREFIX: `${namespace}:auth-limit`,
  },
  onFinish: async () => {
    await nats.stop();
    fs.rmSync(natsDir, { recursive: true, force: true });
  },
});
const { stack } = run;
const gw = client(stack.url('gateway'));
const acknowledged = new Map();
const figures = { lost: '?', duplicated: '?', missed: '?', revocation: '?' };

const writeOnce = async (who, channel, tag) => {
  const text = `${tag} ${uniq('t')}`;
  const res = await call(gw.base, 'POST', '/msg', { token: who.token, body: { channel, text }, timeoutMs: 5000 });
  if (res.status === 201 && Number.isInteger(res.json?.id)) acknowledged.set(res.json.id, text);
  return res;
};

/** The e2e checks of scripts/e2e.d through the gateway, each one a check of the tally. */
async function e2eChecks() {
  tally.scenario(`e2e checks through the gateway (${E2E_FILES.join(', ')}; the IRC door and the browser check are not run here)`);
  const env = {
    ...process.env,
    BASE_URL: stack.url('gateway'),
    GATEWAY_SERVICE_URL: stack.url('gateway'),
    // The checks that call a service directly get its first replica.
    ...Object.fromEntries(['user', 'message', 'channel', 'stats', 'realtime'].map((s) => [`${s.toUpperCase()}_SERVICE_URL`, stack.url(s)])),
    JWT_SECRET: stack.secrets.JWT_SECRET,
    SERVICE_TOKEN_SECRET: stack.secrets.SERVICE_TOKEN_SECRET,
    ADMIN_PSEUDO: run.admin.pseudo,
    ADMIN_PASSWORD: run.admin.password,
    E2E_DATA_DIR: run.dataDir,
    E2E_DATABASE: 'mysql',
  };
  for (const file of E2E_FILES) {
    const r = await runCheck(path.join(CHECK_DIR, file), env, { echo: run.args.verbose });
    const failed = r.results.filter((c) => !c.ok);
    const ended = r.code === 0 && !r.timedOut;
    tally.check(
      `${file}: ${r.results.length - failed.length}/${r.results.length} checks passed${ended ? '' : r.timedOut ? ', timed out' : `, exit code ${r.code}`}`,
      ended && failed.length === 0,
      // The failed checks with their explanations (`    # ...` lines), or the end of the output.
      (failed.length ? r.output.split('\n').filter((l) => /^\s*(not ok|#)/.test(l)) : r.output.split('\n').slice(-15))
        .slice(0, 40)
        .join('\n'),
    );
  }
}

/** Kills one replica -9 under the load and waits until the launcher brought it back and it is ready. */
async function killReplica(key, load, watcher) {
  tally.scenario(`kill -9 of ${key.includes('#') ? key.replace('#', ' replica ') : `${key} replica 1`} under write load`);
  const snapshot = new Map(stack.keys.map((k) => [k, stack.restarts.get(k) ?? 0]));
  const before = snapshot.get(key);
  const killedAt = Date.now();
  stack.kill(key, 'SIGKILL');
  if (key.startsWith('realtime')) {
    const closed = await Promise.race([watcher.closed().then(() => true), sleep(5000).then(() => false)]);
    tally.check('the realtime client saw its replica go', closed, 'its WebSocket stayed open 5 s after the kill');
    const resumed = await watcher.open(stack.url('realtime')).then(
      () => true,
      (err) => (tally.note(`resume: ${err.message}`), false),
    );
    tally.check(`it resumed on the other replica with its cursor (after ${Date.now() - killedAt} ms)`, resumed);
  }
  const back = await waitFor(
    async () => (stack.restarts.get(key) ?? 0) > before && (await call(stack.url(key), 'GET', '/ready')).status === 200,
    30000,
    200,
  );
  tally.check(`the launcher restarted it and it is ready (after ${((Date.now() - killedAt) / 1000).toFixed(1)} s)`, back);
  await sleep(1000);
  const window = load.results.filter((r) => r.startedAt >= killedAt - 500);
  const ok = window.filter((r) => r.status === 201).length;
  tally.note(`writes from the kill on: ${JSON.stringify(statusCounts(window))}`);
  // A write in flight on the killed process may fail (its answer is lost with it); the rest go to the other replica.
  tally.check(
    `writes through the gateway kept succeeding (${ok}/${window.length} answered 201)`,
    window.length > 0 && ok >= window.length - 8,
  );
  const others = stack.keys.filter((k) => k !== key && (stack.restarts.get(k) ?? 0) !== snapshot.get(k));
  tally.check('no other process exited', others.length === 0, `restarted: ${others.join(', ')}`);
}

let exitCode = 1;
try {
  await e2eChecks();

  tally.scenario('setup under load');
  const writer = await newUser(gw, 'w');
  const reader = await newUser(gw, 'r');
  const channel = await newChannel(gw, writer, { prefix: 'rep' });
  await join(gw, reader, channel);
  const watcher = realtimeWatcher(reader.token);
  await watcher.open(stack.url('realtime#2'));
  const firstId = (await writeOnce(writer, channel, 'first')).json?.id ?? 0;
  const load = startLoad({ concurrency: 4, pauseMs: 40, task: (w, n) => writeOnce(writer, channel, `load-${w}-${n}`) });
  await sleep(1500);
  tally.check(
    `steady write load through the gateway (${acknowledged.size} acknowledged), a realtime client on realtime replica 2`,
    acknowledged.size > 1,
  );

  for (const key of KILLED) await killReplica(key, load, watcher);
  await load.stop();
  tally.note(`load: ${JSON.stringify(statusCounts(load.results))}`);

  tally.scenario('the realtime client missed nothing');
  const expected = [...acknowledged.keys()].filter((id) => id >= firstId);
  await waitFor(() => expected.every((id) => watcher.state.received.has(id)), 15000, 200);
  const missed = expected.filter((id) => !watcher.state.received.has(id));
  const twice = [...watcher.state.received.values()].filter((n) => n > 1).length;
  figures.missed = missed.length;
  tally.check(
    `every acknowledged message reached it once across ${watcher.state.opens} connections (${expected.length} expected, ${missed.length} missed, ${twice} twice)`,
    missed.length === 0 && twice === 0,
    `missed ids ${missed.slice(0, 10).join(', ')}`,
  );
  watcher.close();

  const streams = await verifyStreams({ tally, run, nats, namespace });
  const user = await denseStream({ tally, run, db: 'canaduck_user', label: 'user-service stream' });
  const chan = await denseStream({ tally, run, db: 'canaduck_channel', label: 'channel-service stream' });

  tally.scenario('stats reads from every replica');
  const reads = await Promise.all(
    stack.replicasOf('stats').map((k) => call(stack.url(k), 'GET', '/stats/messages-per-user?limit=100', { token: writer.token })),
  );
  tally.check(
    `both stats replicas answer GET /stats/messages-per-user with the same ranking (${reads.map((r) => r.status).join(', ')})`,
    reads.every((r) => r.status === 200) && new Set(reads.map((r) => r.text)).size === 1,
    reads.map(describe).join('\n'),
  );

  const revocation = await revocationAtEveryReplica({ tally, stack });
  figures.revocation = `${revocation.max} ms`;

  tally.scenario('no acknowledged write lost');
  const listed = await readChannel(gw, reader, channel);
  if (listed.error) tally.check(`list ${channel}`, false, listed.error);
  const { reallyLost } = await acknowledgedLost(gw, reader, acknowledged, listed.messages);
  checkNothingLost(tally, acknowledged, reallyLost);
  figures.lost = reallyLost.length + streams.lost + user.lost + chan.lost;
  figures.duplicated = streams.duplicated + user.duplicated + chan.duplicated + twice;
  exitCode = tally.failures.length === 0 ? 0 : 1;
} catch (err) {
  tally.check('suite ran to the end', false, err.stack ?? String(err));
}

const { survived, total } = tally.summary();
process.stdout.write(`\nreplica scenarios passed: ${survived}/${total}\n`);
await run.finish(
  exitCode,
  `replicas: 2x4 services, acknowledged ${acknowledged.size}, lost ${figures.lost}, duplicated ${figures.duplicated}, realtime missed ${figures.missed}, revocation max ${figures.revocation}`,
);
