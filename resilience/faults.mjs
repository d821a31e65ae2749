#!/usr/bin/env node
// Fault suite (`npm run test:faults`): kill -9 each service under a steady write load,
// stop the database, slow a dependency down, SIGTERM under load; then prove that no
// acknowledged (201) message was lost; then the event backbone under a storm of 200 writers
// with kill -9 of the services and of a private NATS server, checked for lost and duplicated
// events, and the token revocation delay at every service. Loopback only, private ports
// 6101-6105 and a NATS server of its own on a free port.
// Options: --sqlite, --no-build, --verbose (service logs), --keep (keep the data dir),
// --only=kill,sigterm,slow,db,events (a subset of scenarios).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SERVICES } from '../scripts/stack.mjs';
import { acknowledgedLost, checkNothingLost, newChannel, newUser, readChannel, uniq } from './lib/fixtures.mjs';
import { call, client, describe, sleep, waitFor } from './lib/http.mjs';
import { startLoad, statusCounts } from './lib/load.mjs';
import { databaseStop } from './lib/database-stop.mjs';
import { measureRevocation, startPrivateNats, verifyStreams, writeStorm } from './lib/event-backbone.mjs';
import { startSuiteStack } from './lib/run.mjs';
import { slowDependency } from './lib/slow-dependency.mjs';
import { Tally } from './lib/tally.mjs';

const BASE_PORT = 6100;
// +1..+6 are the stack's services (realtime-service is +6).
const PROXY_PORT = BASE_PORT + 8;
const SLOW_MESSAGE_PORT = BASE_PORT + 9;
const SLOW_TIMEOUT_MS = 1000; // HTTP_TIMEOUT_MS of the second message-service
const DEAD_ANSWER_MS = 1000; // a dead service's routes must answer within this
const tally = new Tally();

// The stack runs its event streams over a NATS server of the suite's own (killed midway, restarted).
const natsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'canaduck-faults-nats-'));
const nats = await startPrivateNats(natsDir);
const run = await startSuiteStack({
  name: 'faults',
  basePort: BASE_PORT,
  budgetMs: 420_000,
  extraEnv: { NATS_URL: nats.url },
  onFinish: async () => {
    await nats.stop();
    fs.rmSync(natsDir, { recursive: true, force: true });
  },
});
const { stack, args } = run;
const gw = client(stack.url('gateway'));
const direct = Object.fromEntries(SERVICES.map((s) => [s.short, client(stack.url(s.short))]));
const wanted = (name) => !args.only || args.only.includes(name);

// Acknowledged writes: id -> text, from every 201 the suite received.
const acknowledged = new Map();
// Texts of writes that got an error answer, to detect answers lost at shutdown.
const unanswered = new Map();
const channels = new Set();
const sigtermSuspects = [];
// The backbone's figures, printed as the suite's last line.
const figures = { lost: undefined, duplicated: undefined, p99: undefined };

function recordWrite(res, text) {
  if (res.status === 201 && res.json && Number.isInteger(res.json.id)) acknowledged.set(res.json.id, text);
  else if (res.status === 201) tally.check(`201 with a message id (${text})`, false, describe(res));
}

let exitCode = 1;
try {
  // ---- setup -------------------------------------------------------------------
  tally.scenario('setup');
  const writer = await newUser(gw, 'w');
  const reader = await newUser(gw, 'r');
  const loadChannel = await newChannel(gw, writer, { prefix: 'load' });
  channels.add(loadChannel);
  tally.check(`users ${writer.pseudo}, ${reader.pseudo} and channel ${loadChannel} created through the gateway`, true);

  const writeOnce = async (who, channel, tag, base = gw, timeoutMs = 2000) => {
    const text = `${tag} ${uniq('t')}`;
    const res = await call(base.base ?? base, 'POST', '/msg', { token: who.token, body: { channel, text }, timeoutMs });
    recordWrite(res, text);
    if (res.status !== 201) unanswered.set(text, res.status === 0 ? res.error : res.status);
    return { ...res, sent: text };
  };
  const load = startLoad({ concurrency: 4, pauseMs: 40, task: (w, n) => writeOnce(writer, loadChannel, `load-${w}-${n}`) });
  await sleep(1500);
  tally.check(
    'steady write load running (POST /msg through the gateway, 4 workers)',
    acknowledged.size > 0,
    JSON.stringify(statusCounts(load.results)),
  );

  // Routes that belong to each service, asked through the gateway.
  const probes = {
    user: () => gw.get(`/whois/${writer.pseudo}`),
    message: () => gw.get(`/msg?channel=${loadChannel}&limit=1`, { token: reader.token }),
    channel: () => gw.get('/channel?limit=1'),
    stats: () => gw.get('/stats/active-channels?limit=1'),
    gateway: () => direct.gateway.get('/health'),
  };
  // Which services a probe needs besides its own (fail closed there is right).
  const dependsOn = { message: ['channel'], stats: ['channel'] };

  // Every route of every service answers 200 again: the next fault starts from a steady state,
  // and the time it takes (circuit breakers closing, caches refilling) is a figure of its own.
  const settle = async (label, since) => {
    let last = [];
    const ok = await waitFor(
      async () => {
        last = await Promise.all(Object.entries(probes).map(async ([name, probe]) => ({ name, res: await probe() })));
        // A probe answered from message-service's access cache says nothing of its circuit to
        // channel-service: still open, it would fail the next fault's "others keep answering".
        const ready = await direct.message.get('/ready');
        const circuits = Object.entries(ready.json?.circuits ?? {}).filter(([, state]) => state === 'open');
        last.push({ name: 'message-service circuits', res: circuits.length ? { ...ready, status: 503 } : { ...ready, status: 200 } });
        return last.every((p) => p.res.status === 200);
      },
      20000,
      250,
    );
    tally.check(
      `every route of every service answers 200 again ${label} (${((Date.now() - since) / 1000).toFixed(1)} s after the fault)`,
      ok,
      last
        .filter((p) => p.res.status !== 200)
        .map((p) => `${p.name}: ${describe(p.res)}`)
        .join('\n'),
    );
  };
  const restartsOf = (short) => stack.restarts.get(short) ?? 0;
  const allRestarts = () => Object.fromEntries(SERVICES.map((s) => [s.short, restartsOf(s.short)]));

  // ---- kill -9 each service ----------------------------------------------------
  if (wanted('kill')) {
    for (const svc of ['message', 'channel', 'user', 'stats', 'gateway']) {
      tally.scenario(`kill -9 ${svc}-service under write load`);
      const before = allRestarts();
      const deadAnswers = [];
      const otherAnswers = [];
      const killedAt = Date.now();
      stack.kill(svc, 'SIGKILL');
      // Probe until the launcher has brought it back and it is ready.
      let back = false;
      while (Date.now() - killedAt < 30000) {
        const round = [probes[svc]().then((r) => deadAnswers.push({ ...r, at: Date.now() - killedAt }))];
        for (const other of Object.keys(probes).filter((o) => o !== svc)) {
          const viaGateway = svc !== 'gateway' || other === 'gateway';
          round.push(
            direct[other].get('/health').then((r) => otherAnswers.push({ ...r, probe: `${other} /health (direct)`, dependent: false })),
          );
          if (viaGateway) {
            round.push(
              probes[other]().then((r) =>
                otherAnswers.push({ ...r, probe: `${other} route via gateway`, dependent: (dependsOn[other] ?? []).includes(svc) }),
              ),
            );
          }
        }
        await Promise.all(round);
        if (restartsOf(svc) > before[svc]) {
          const ready = await direct[svc].get('/ready');
          if (ready.status === 200) {
            back = true;
            break;
          }
        }
        await sleep(150);
      }
      const downAnswers = deadAnswers.filter((r) => r.status !== 200);
      // With the gateway itself dead nothing can answer: the connection must fail at once
      // (refused, or reset for a request that was in flight at the kill), never hang.
      // The 1 s bound is for the outage answers; a 200 (the service already back) only must not hang
      // (the client's 2 s timeout): a fresh process's first answers can be slow on a busy machine.
      const slowOrWrong = deadAnswers.filter((r) =>
        r.status === 200
          ? false
          : svc === 'gateway'
            ? !(r.status === 0 && r.error !== 'timeout') || r.ms > DEAD_ANSWER_MS
            : r.status !== 503 || r.ms > DEAD_ANSWER_MS,
      );
      tally.check(
        svc === 'gateway'
          ? `while down, connections to the gateway are refused at once (${downAnswers.length} probes, none hung)`
          : `while down, its routes answer 503 within ${DEAD_ANSWER_MS} ms (${downAnswers.length} probes, max ${Math.round(Math.max(0, ...downAnswers.map((r) => r.ms)))} ms)`,
        downAnswers.length > 0 && slowOrWrong.length === 0,
        downAnswers.length === 0
          ? 'the outage was never observed'
          : slowOrWrong
              .slice(0, 3)
              .map((r) => `t+${r.at} ms: ${describe(r)}`)
              .join('\n'),
      );
      if (svc !== 'gateway') {
        const bodyOk = downAnswers.every((r) => r.status !== 503 || (r.json && typeof r.json.error === 'string'));
        tally.check(
          'its 503 answers are JSON errors',
          bodyOk,
          downAnswers
            .filter((r) => !r.json)
            .slice(0, 2)
            .map(describe)
            .join('\n'),
        );
      }
      // A route that needs the dead service may fail closed with a 503, but must not hang.
      const badOthers = otherAnswers.filter((r) => !(r.status === 200 || (r.dependent && r.status === 503)));
      tally.check(
        `the other services keep answering (${otherAnswers.length} probes)`,
        badOthers.length === 0,
        badOthers
          .slice(0, 4)
          .map((r) => `${r.probe}: ${describe(r)}`)
          .join('\n'),
      );
      const after = allRestarts();
      const cascade = Object.keys(after).filter((s) => s !== svc && after[s] !== before[s]);
      tally.check('no other service exited', cascade.length === 0, `restarted: ${cascade.join(', ')}`);
      tally.check(
        `the launcher restarted it (after ${((Date.now() - killedAt) / 1000).toFixed(1)} s)`,
        back,
        `restarts ${before[svc]} -> ${restartsOf(svc)}, /ready not 200 after 30 s`,
      );
      const served = await waitFor(async () => {
        const r = await probes[svc]();
        return r.status === 200 ? r : undefined;
      }, 10000);
      tally.check('it serves its routes again', !!served, describe(await probes[svc]()));
      await settle(`after the ${svc}-service restart`, killedAt);
    }
  }

  // ---- SIGTERM under load --------------------------------------------------------
  if (wanted('sigterm')) {
    for (const svc of ['message', 'gateway']) {
      tally.scenario(`SIGTERM ${svc}-service under write load`);
      const before = restartsOf(svc);
      const child = stack.procs.get(svc);
      const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
      // A burst so that requests are surely in flight when the signal lands.
      const burst = Array.from({ length: 24 }, (_, i) => writeOnce(writer, loadChannel, `burst-${svc}-${i}`, gw, 5000));
      await sleep(15);
      const termAt = Date.now();
      const inFlightLoad = load.inFlight().length;
      stack.kill(svc, 'SIGTERM');
      const burstResults = await Promise.all(burst);
      const exit = await Promise.race([exited, sleep(15000).then(() => undefined)]);
      tally.check(
        `it exits cleanly (${exit ? `code ${exit.code} after ${exit.at - termAt} ms` : 'no exit'})`,
        exit && exit.code === 0,
        exit ? `exit code ${exit.code}, signal ${exit.signal}` : 'still running 15 s after SIGTERM',
      );
      await waitFor(async () => restartsOf(svc) > before && (await direct[svc].get('/ready')).status === 200, 30000, 200);
      await sleep(300);
      // Requests already sent when the signal came: none may fail because of the shutdown.
      const inFlight = [...burstResults, ...load.results.filter((r) => r.startedAt < termAt && r.endedAt >= termAt)];
      const completed = inFlight.filter((r) => r.status === 201).length;
      const brokenInFlight = inFlight.filter((r) => r.status !== 201 && !(svc === 'message' && r.status === 503));
      // A 503 here is acceptable only if the request never reached message-service: checked at the end.
      // Connection errors too: if such a message is stored, its answer was lost.
      for (const r of inFlight) if (r.status !== 201 && r.sent) sigtermSuspects.push({ ...r, svc });
      const refused = inFlight.filter((r) => r.status !== 201);
      if (refused.length) {
        const kinds = {};
        for (const r of refused) {
          const key = r.status === 0 ? r.error : `${r.status} ${r.json?.error ?? ''}`;
          kinds[key] = (kinds[key] ?? 0) + 1;
        }
        tally.note(`in flight but not completed: ${JSON.stringify(kinds)}`);
      }
      tally.check(
        `requests in flight at SIGTERM complete (${completed}/${inFlight.length} answered 201, ${inFlightLoad} from the load)`,
        brokenInFlight.length === 0 && completed > 0,
        brokenInFlight.slice(0, 4).map(describe).join('\n') || 'none of them completed',
      );
      // A 503 is fine only when the request never reached the service; a stored message behind an error means its answer was lost.
      const shutdownWindow = load.results.filter((r) => r.startedAt >= termAt && r.startedAt < termAt + 30000);
      const fiveXX = shutdownWindow.filter((r) => (svc === 'gateway' ? r.status >= 500 : r.status >= 500 && r.status !== 503));
      const hangs = shutdownWindow.filter((r) => r.status === 0 && r.error === 'timeout');
      tally.check(
        `no 5xx caused by the shutdown (${JSON.stringify(statusCounts(shutdownWindow))} while it restarted)`,
        fiveXX.length === 0 && hangs.length === 0,
        [...fiveXX, ...hangs].slice(0, 4).map(describe).join('\n'),
      );
      tally.check('the launcher restarted it and it serves again', (await probes[svc]()).status === 200, describe(await probes[svc]()));
      await settle('after the restart', termAt);
    }
  }

  // ---- slow dependency: channel-service behind a delaying proxy ------------------
  const slowSetting = { proxyPort: PROXY_PORT, slowMessagePort: SLOW_MESSAGE_PORT, timeoutMs: SLOW_TIMEOUT_MS };
  if (wanted('slow')) await slowDependency({ tally, run, stack, writer, loadChannel, writeOnce, ...slowSetting });

  // ---- database stop -------------------------------------------------------------
  if (wanted('db')) await databaseStop({ tally, run, direct, load, gw, writer, loadChannel, writeOnce, allRestarts, settle });

  // ---- the event backbone: a write storm with kills, NATS included ---------------------
  if (wanted('events')) await writeStorm({ tally, stack, nats, writeOnce, writer, channel: loadChannel });

  // ---- nothing acknowledged was lost -----------------------------------------------
  await load.stop();
  if (wanted('events')) {
    if (run.db === 'mysql') Object.assign(figures, await verifyStreams({ tally, run, nats }));
    else tally.note('event stream checks read the MySQL databases: skipped with --sqlite');
    figures.p99 = await measureRevocation({ tally, stack });
  }
  tally.scenario('no acknowledged write lost');
  tally.note(`load: ${JSON.stringify(statusCounts(load.results))}`);
  const seen = new Map();
  for (const channel of channels) {
    const listed = await readChannel(gw, reader, channel);
    for (const [id, text] of listed.messages) seen.set(id, text);
    if (listed.error) tally.check(`list ${channel}`, false, listed.error);
  }
  const { lost, reallyLost } = await acknowledgedLost(gw, reader, acknowledged, seen);
  run.lost = reallyLost.length;
  checkNothingLost(tally, acknowledged, reallyLost);
  if (lost.length && !reallyLost.length)
    tally.note(
      `${lost.length} acknowledged messages missing from the channel listing were found through /msg/thread/<id>: a paging problem, not a loss`,
    );
  tally.check(
    'listing and acknowledgements agree (no message missing from its channel listing)',
    lost.length === 0,
    `${lost.length} missing from GET /msg?channel=...`,
  );
  const storedTexts = new Set(seen.values());
  const lostAnswers = sigtermSuspects.filter((r) => storedTexts.has(r.sent));
  tally.check(
    `no request in flight at SIGTERM was processed without its answer (${sigtermSuspects.length} failed in flight, ${lostAnswers.length} of them stored anyway)`,
    lostAnswers.length === 0,
    lostAnswers
      .slice(0, 3)
      .map((r) => `${r.svc} SIGTERM: "${r.sent}" is stored, yet its POST /msg got ${describe(r)}`)
      .join('\n'),
  );
  const ghost = [...seen.values()].filter((t) => unanswered.has(t));
  tally.note(
    `${ghost.length} messages stored although their request got no 201 (in flight at a kill -9 or answered after the client's timeout): expected, not counted`,
  );
  exitCode = tally.failures.length === 0 ? 0 : 1;
} catch (err) {
  tally.check('suite ran to the end', false, err.stack ?? String(err));
  exitCode = 1;
}

const { survived, total } = tally.summary();
process.stdout.write(`\nfaults survived: ${survived}/${total}, acknowledged writes lost: ${run.lost ?? 'unknown'}\n`);
const shown = (v) => (v === undefined || Number.isNaN(v) ? '?' : v);
await run.finish(
  exitCode,
  wanted('events')
    ? `events: ${shown(figures.lost)} lost, ${shown(figures.duplicated)} duplicated, revocation p99 ${figures.p99 === undefined ? '?' : figures.p99.toFixed(2)} s`
    : undefined,
);
