#!/usr/bin/env node
// `npm run test:containers`: the production path, for real. Builds every service image with the
// root Dockerfile and runs the whole system in containers as docker-compose.yml says (read with
// the `yaml` package: environment, hardening, networks and aliases, healthchecks, restart
// policies, start order), then runs the smoke test, the e2e checks and the kill-and-restart
// scenario through the gateway container, and prints image sizes, build times and results.
//
// What differs from `docker compose up`, and why:
//  - Compose v2 and Traefik are not on this machine: the gateway's port is published on
//    127.0.0.1 (a free port) and the checks talk to it directly; Traefik's labels and entry
//    points stay checked statically (system-tests compose*.test.ts).
//  - Docker Hub may not answer: the public base images are tried first (`docker pull`, 20 s),
//    else the local stand-ins of build-base-images.sh (Debian + npm registry) replace them,
//    mysql:8.4 by Debian's MariaDB with the same deploy/mysql/init scripts.
//  - Images are tagged :containers-test and volumes named canaduck-containers-test-*, so a
//    real deployment on the same machine is never touched. Everything created carries the
//    label canaduck.test=containers and is removed at the end (and at the start, if a
//    previous run was interrupted).
// Options (environment): CONTAINERS_BASE=local|public, CONTAINERS_E2E (check files of
// scripts/e2e.d, comma-separated prefixes; default 00,10,40,50,60), CONTAINERS_KILL=0 (skip the
// kill scenario), CONTAINERS_KEEP=1 (leave the stack running), CONTAINERS_RESULT_FILE (JSON
// { passed, failed, checks, figures }).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dependenciesOf, environmentOf, loadCompose, networksOf, requiredVariables, runArgs, startOrder } from './compose-plan.mjs';
import { hardeningChecks, metricsCheck, runScript } from './checks.mjs';
import { addressOn, docker, dockerOk, ensureDockerd, removeLabelled, waitHealthy } from './docker.mjs';
import { buildServiceImage, megabytes, resolveBaseImages } from './images.mjs';
import { killRestart } from './kill-restart.mjs';
import { generateKeys } from '../lib/keys.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const LABEL = 'canaduck.test=containers';
const TAG = 'containers-test';
const LOG_FILE = path.join(ROOT, 'test-results', 'containers', 'run.log');
fs.mkdirSync(path.dirname(LOG_FILE), { recursive: true });
const log = fs.createWriteStream(LOG_FILE);
const say = (msg) => {
  process.stdout.write(`[containers] ${msg}\n`);
  log.write(`${msg}\n`);
};
const checks = [];
const record = (c) => {
  checks.push(c);
  say(`${c.ok ? 'ok' : 'not ok'} - ${c.name}${c.detail ? ` (${c.detail})` : ''}`);
};
const figures = { images: {}, timings: {} };
const t = (k, t0) => (figures.timings[k] = Number(((Date.now() - t0) / 1000).toFixed(1)));

/**
 * A free port on 127.0.0.1, published for the gateway as a FIXED port: an ephemeral one
 * (`127.0.0.1::5004`) may change when the restart policy brings the container back.
 */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.once('error', reject);
  });
}

/**
 * A `.env` as an operator fills it: every required variable (the keys from
 * scripts/generate-keys.mjs, random passwords for the rest), plus the first administrator.
 */
function dotEnv(text) {
  const keys = generateKeys();
  const env = Object.fromEntries(requiredVariables(text).map((v) => [v, keys[v] ?? randomBytes(24).toString('hex')]));
  return {
    ...env,
    LOG_LEVEL: 'warn',
    ADMIN_PSEUDO: 'containersadmin',
    ADMIN_PASSWORD: randomBytes(12).toString('hex'),
    ADMIN_EMAIL: 'admin@canaduck.example',
  };
}

let cleaning;
async function cleanup() {
  cleaning ??= (async () => {
    if (process.env.CONTAINERS_KEEP === '1')
      return say(
        'CONTAINERS_KEEP=1: the stack stays up (remove it: docker rm -f $(docker ps -aq --filter label=canaduck.test=containers))',
      );
    const t0 = Date.now();
    const removed = await removeLabelled(LABEL);
    say(
      `removed ${removed.containers} containers, ${removed.networks} networks, ${removed.volumes} volumes in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
  })();
  return cleaning;
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    say(`${sig}: removing what was started`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function main() {
  const started = Date.now();
  await ensureDockerd(say);
  await removeLabelled(LABEL);
  const bases = await resolveBaseImages({ root: ROOT, say });
  const composeText = fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
  const env = dotEnv(composeText);
  const { compose } = loadCompose(ROOT, env);
  const services = compose.services;
  const built = Object.keys(services).filter((n) => services[n].build);
  const image = (name) =>
    services[name].build
      ? `canaduck/${name}:${TAG}`
      : name === 'mysql'
        ? bases.mariadb
        : name === 'nats'
          ? bases.nats
          : services[name].image;

  // ---- images ----
  let t0 = Date.now();
  for (const name of built) {
    say(`building ${name}`);
    const r = await buildServiceImage({
      root: ROOT,
      name,
      build: services[name].build,
      tag: image(name),
      nodeImage: bases.node,
      log: (l) => log.write(`${l}\n`),
    });
    figures.images[name] = {
      size: megabytes(r.size),
      bytes: r.size,
      buildSeconds: Number(r.seconds.toFixed(1)),
      cachedSteps: `${r.cachedSteps}/${r.steps}`,
    };
    say(`${name}: ${megabytes(r.size)}, built in ${r.seconds.toFixed(1)} s (${r.cachedSteps} of ${r.steps} steps from cache)`);
  }
  t('buildAll', t0);

  // ---- networks, volumes, containers in compose's start order ----
  t0 = Date.now();
  const netName = (key) => compose.networks?.[key]?.name ?? `canaduck_${key}`;
  for (const [key, n] of Object.entries(compose.networks ?? {})) {
    await dockerOk(['network', 'create', ...(n.internal ? ['--internal'] : []), '--label', LABEL, netName(key)]);
  }
  const volName = (key) => `canaduck-containers-test-${key}`;
  for (const key of Object.keys(compose.volumes ?? {})) await dockerOk(['volume', 'create', '--label', LABEL, volName(key)]);
  const containerName = (name) => services[name].container_name ?? `canaduck-${name}-1`;
  // Traefik cannot run here (no image, no compose v2): everything else does.
  const running = startOrder(
    services,
    Object.keys(services).filter((n) => n !== 'traefik'),
  );
  let gatewayUrl;
  for (const name of running) {
    const svc = services[name];
    for (const [dep, cond] of Object.entries(dependenciesOf(svc))) {
      if (cond.condition === 'service_healthy' && running.includes(dep)) await waitHealthy(containerName(dep), 180000);
    }
    const nets = networksOf(svc);
    const isGateway = name === 'gateway-service';
    const firstNetwork = isGateway ? nets.find((k) => !compose.networks[k]?.internal) : nets[0];
    const port = environmentOf(svc).PORT;
    const args = runArgs(name, svc, {
      name: containerName(name),
      image: image(name),
      labels: { 'canaduck.test': 'containers' },
      root: ROOT,
      volumeName: volName,
      networkName: netName,
      firstNetwork,
      publish: isGateway ? [`127.0.0.1:${await freePort()}:${port}`] : [],
    });
    await dockerOk(args, { timeoutMs: 60000 });
    for (const k of nets.filter((k) => k !== firstNetwork))
      await dockerOk(['network', 'connect', '--alias', name, netName(k), containerName(name)]);
    say(`started ${containerName(name)} (${image(name)}) on ${nets.map(netName).join(', ')}`);
    if (isGateway) gatewayUrl = `http://${(await dockerOk(['port', containerName(name), `${port}/tcp`])).split('\n')[0]}`;
  }
  for (const name of running) await waitHealthy(containerName(name), 180000);
  t('startToHealthy', t0);
  say(`every container healthy in ${figures.timings.startToHealthy} s; gateway at ${gatewayUrl}`);

  // ---- hardening as compose asked ----
  for (const name of running) for (const c of await hardeningChecks(containerName(name), services[name])) record(c);

  // ---- smoke test and e2e checks through the gateway container ----
  const internal = netName(Object.keys(compose.networks).find((k) => compose.networks[k].internal));
  const urlOf = async (name) => `http://${await addressOn(containerName(name), internal)}:${environmentOf(services[name]).PORT}`;
  const checkEnv = {
    ...process.env,
    BASE_URL: gatewayUrl,
    // The e2e checks mint a service token as user-service would (scripts/lib/e2e-check.mjs).
    SERVICE_PRIVATE_KEY: env.USER_SERVICE_PRIVATE_KEY,
    SERVICE_PUBLIC_KEYS: env.SERVICE_PUBLIC_KEYS,
    ADMIN_PSEUDO: env.ADMIN_PSEUDO,
    ADMIN_PASSWORD: env.ADMIN_PASSWORD,
    OPENAPI_REDOCLY: process.env.OPENAPI_REDOCLY ?? '0',
  };
  for (const name of built) checkEnv[`${name.split('-')[0].toUpperCase()}_SERVICE_URL`] = await urlOf(name);
  // The IRC check (50) talks to the door's container as a client would behind Traefik's TCP router.
  if (services['irc-service']) {
    checkEnv.IRC_HOST = await addressOn(containerName('irc-service'), internal);
    checkEnv.IRC_PORT = String(environmentOf(services['irc-service']).IRC_PORT);
  }
  t0 = Date.now();
  const smoke = await runScript(path.join(ROOT, 'scripts', 'smoke.sh'), { cwd: ROOT, env: checkEnv, timeoutMs: 180000, say });
  t('smoke', t0);
  figures.smoke = { ok: smoke.ok, steps: smoke.results.length, passed: smoke.results.filter((r) => r.ok).length, seconds: smoke.seconds };
  record({ name: `scripts/smoke.sh through the gateway container: ${figures.smoke.passed}/${figures.smoke.steps} steps`, ok: smoke.ok });
  const wanted = (process.env.CONTAINERS_E2E ?? '00,10,40,50,60')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const e2eDir = path.join(ROOT, 'scripts', 'e2e.d');
  for (const f of fs
    .readdirSync(e2eDir)
    .filter((f) => wanted.some((w) => f.startsWith(w)))
    .sort()) {
    say(`e2e ${f}`);
    const r = await runScript(path.join(e2eDir, f), { cwd: ROOT, env: checkEnv, timeoutMs: 480000, say });
    for (const x of r.results) record({ name: `e2e ${f}: ${x.name}`, ok: x.ok });
    if (!r.ok && r.results.every((x) => x.ok)) record({ name: `e2e ${f}`, ok: false, detail: r.timedOut ? 'timed out' : `exit ${r.code}` });
  }

  // ---- metrics: every service, the gateway's on its METRICS_PORT only ----
  for (const name of built) {
    const e = environmentOf(services[name]);
    const addr = await addressOn(containerName(name), internal);
    record(await metricsCheck(name, `http://${addr}:${e.METRICS_PORT ?? e.PORT}/metrics`));
  }
  const publicMetrics = await fetch(`${gatewayUrl}/metrics`).catch(() => ({ status: 0 }));
  record({
    name: 'the gateway never answers /metrics on its public port',
    ok: publicMetrics.status === 404,
    detail: `status ${publicMetrics.status}`,
  });

  // ---- kill and restart under write load ----
  if (process.env.CONTAINERS_KILL !== '0') {
    t0 = Date.now();
    const k = await killRestart({ gatewayUrl, containers: built.map(containerName), say });
    for (const c of k.checks) checks.push(c);
    figures.killRestart = k.figures;
    t('killRestart', t0);
  }
  t('total', started);
}

let failedToRun;
try {
  await main();
} catch (err) {
  failedToRun = err;
  say(`error: ${err.stack ?? err}`);
  checks.push({ name: 'the stack in containers ran to the end', ok: false, detail: err.message });
  const ps = await docker(['ps', '-a', '--filter', `label=${LABEL}`, '--format', '{{.Names}}\t{{.Status}}']);
  say(`containers:\n${ps.stdout}`);
  for (const name of ps.stdout
    .split('\n')
    .map((l) => l.split('\t')[0])
    .filter(Boolean)) {
    const logs = await docker(['logs', '--tail', '15', name], { timeoutMs: 10000 });
    say(`--- ${name}\n${logs.stdout}\n${logs.stderr}`);
  }
} finally {
  await cleanup();
}
const failed = checks.filter((c) => !c.ok);
say('figures:');
for (const [name, i] of Object.entries(figures.images))
  say(`  image ${name}: ${i.size}, build ${i.buildSeconds} s (cache ${i.cachedSteps})`);
say(`  timings (s): ${JSON.stringify(figures.timings)}`);
if (figures.smoke)
  say(
    `  smoke: ${figures.smoke.ok ? 'PASSED' : 'FAILED'} ${figures.smoke.passed}/${figures.smoke.steps} steps in ${figures.smoke.seconds.toFixed(1)} s`,
  );
if (figures.killRestart)
  say(
    `  kill/restart: ${figures.killRestart.acknowledged} acknowledged, ${figures.killRestart.lost} lost, statuses ${JSON.stringify(figures.killRestart.statuses)}`,
  );
for (const c of failed) say(`  FAILED: ${c.name}${c.detail ? ` (${c.detail})` : ''}`);
if (process.env.CONTAINERS_RESULT_FILE)
  fs.writeFileSync(
    process.env.CONTAINERS_RESULT_FILE,
    JSON.stringify({ passed: checks.length - failed.length, failed: failed.length, checks, figures }, null, 2),
  );
say(`containers: ${checks.length - failed.length} passed, ${failed.length} failed (log: ${path.relative(ROOT, LOG_FILE)})`);
await new Promise((r) => log.end(r));
process.exit(failed.length || failedToRun || checks.length === 0 ? 1 : 0);
