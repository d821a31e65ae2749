#!/usr/bin/env node
// `npm run test:e2e`: builds, starts the whole stack exactly as `npm start` does (five
// `node <service>/dist/main.js` processes) on a fresh data folder, waits until every
// service is ready, then runs every file of scripts/e2e.d in name order against the
// gateway: `*.sh` with bash, `*.mjs` with node. Each file gets BASE_URL and a timeout.
//
// A file may report several checks by printing `ok - <name>` / `not ok - <name>` lines
// (scripts/lib/e2e-check.mjs does it for .mjs files); a file that prints none counts as one
// check, passed when it exits 0. The run ends with `e2e: N passed, M failed` and exits 1 if
// anything failed. Service logs go to a file whose tail is printed on failure.
//
// Options (environment): MYSQL_URL (run on MySQL, one database per service, under a unique
// MYSQL_DB_PREFIX that is dropped afterwards), E2E_CHECK_TIMEOUT_S (default 180, or a line
// `e2e-timeout-seconds: N` near the top of a check file), E2E_ONLY (substring filter on file
// names), E2E_KEEP_DATA=1 (keep the data folder and MySQL databases), E2E_RESULT_FILE (write
// { passed, failed, checks } as JSON there), E2E_IRC_PORT (the IRC door's IRC port, default 6667;
// its HTTP side is IRC_SERVICE_PORT, 5007). Flag --no-build skips the TypeScript build.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { IRC_SERVICE, ROOT, SERVICES, dropStackDatabases, servicePort, startStack } from './stack.mjs';
import { CHECK_DIR, runCheck } from './lib/run-check.mjs';

const RESULTS_DIR = path.join(ROOT, 'test-results', 'e2e');
const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const red = (s) => (process.stdout.isTTY ? `\x1b[31m${s}\x1b[0m` : s);
const green = (s) => (process.stdout.isTTY ? `\x1b[32m${s}\x1b[0m` : s);
const say = (msg) => process.stdout.write(`${bold('[e2e]')} ${msg}\n`);

/** The check files, in name order; E2E_ONLY narrows them down. */
function checkFiles() {
  const only = process.env.E2E_ONLY;
  return fs
    .readdirSync(CHECK_DIR)
    .filter((f) => /\.(sh|mjs)$/.test(f))
    .filter((f) => !only || f.includes(only))
    .sort();
}

/** True when something accepts connections on 127.0.0.1:port. */
function portInUse(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function tail(file, lines = 60) {
  try {
    return fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .slice(-lines - 1)
      .join('\n');
  } catch {
    return '(no log)';
  }
}

async function main() {
  if (!process.argv.includes('--no-build')) {
    say('building (tsc -b tsconfig.build.json)');
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'tsconfig.build.json'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
  }
  const files = checkFiles();
  if (files.length === 0) throw new Error(`no check in ${path.relative(ROOT, CHECK_DIR)}`);

  // A port already taken would let waitReady talk to someone else's stack: refuse to start.
  const ircPort = Number(process.env.E2E_IRC_PORT ?? 6667);
  const busy = [];
  for (const svc of [...SERVICES, IRC_SERVICE]) if (await portInUse(servicePort(svc))) busy.push(`${svc.name} ${servicePort(svc)}`);
  if (await portInUse(ircPort)) busy.push(`irc-service IRC ${ircPort} (E2E_IRC_PORT)`);
  if (busy.length) {
    throw new Error(`ports already in use (${busy.join(', ')}): stop the other stack, or set USER_SERVICE_PORT... GATEWAY_SERVICE_PORT`);
  }

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'canaduck-e2e-'));
  const mysqlUrl = process.env.MYSQL_URL;
  const dbPrefix = mysqlUrl ? (process.env.MYSQL_DB_PREFIX ?? `e2e_${randomBytes(4).toString('hex')}_`) : undefined;
  const database = mysqlUrl ? `MySQL ${new URL(mysqlUrl).host}, databases ${dbPrefix}canaduck_*` : 'SQLite';
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const logFile = path.join(RESULTS_DIR, `stack-${mysqlUrl ? 'mysql' : 'sqlite'}.log`);
  const log = fs.createWriteStream(logFile);
  const admin = { pseudo: process.env.ADMIN_PSEUDO ?? 'e2eadmin', password: process.env.ADMIN_PASSWORD ?? randomBytes(12).toString('hex') };
  const stackEnv = {
    NODE_ENV: 'development',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    ADMIN_PSEUDO: admin.pseudo,
    ADMIN_PASSWORD: admin.password,
    // The IRC door, for the terminal-client check (scripts/e2e.d/50-irc-client.sh).
    IRC_PORT: String(ircPort),
    IRC_TLS_CERT: '',
    IRC_TLS_KEY: '',
    ...(dbPrefix !== undefined ? { MYSQL_DB_PREFIX: dbPrefix } : {}),
  };
  say(`starting the stack on ${database}; data in ${dataDir}; logs in ${path.relative(ROOT, logFile)}`);
  const stack = startStack({
    dataDir,
    quiet: true,
    env: stackEnv,
    extra: [IRC_SERVICE],
    onLine: (svc, line) => log.write(`[${svc.padEnd(7)}] ${line}\n`),
  });

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await stack.stop();
    await new Promise((r) => log.end(r));
    if (process.env.E2E_KEEP_DATA !== '1') {
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (mysqlUrl) await dropStackDatabases(mysqlUrl, dbPrefix).catch((err) => say(`could not drop the e2e databases: ${err.message}`));
    }
  };
  const interrupt = async () => {
    say('interrupted: stopping the stack');
    await stop();
    process.exit(130);
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);

  const checks = [];
  try {
    const started = Date.now();
    try {
      await stack.waitReady(120000);
    } catch (err) {
      checks.push({ file: '(stack)', name: 'every service becomes ready', ok: false });
      throw err;
    }
    say(`stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const checkEnv = {
      ...process.env,
      BASE_URL: stack.url('gateway'),
      USER_SERVICE_URL: stack.url('user'),
      MESSAGE_SERVICE_URL: stack.url('message'),
      CHANNEL_SERVICE_URL: stack.url('channel'),
      STATS_SERVICE_URL: stack.url('stats'),
      IRC_SERVICE_URL: stack.url('irc'),
      IRC_HOST: '127.0.0.1',
      IRC_PORT: String(ircPort),
      GATEWAY_SERVICE_URL: stack.url('gateway'),
      JWT_SECRET: stack.secrets.JWT_SECRET,
      SERVICE_TOKEN_SECRET: stack.secrets.SERVICE_TOKEN_SECRET,
      ADMIN_PSEUDO: admin.pseudo,
      ADMIN_PASSWORD: admin.password,
      E2E_DATA_DIR: dataDir,
      E2E_DATABASE: mysqlUrl ? 'mysql' : 'sqlite',
    };
    for (const f of files) {
      const file = path.join(CHECK_DIR, f);
      say(bold(`── ${f}`));
      const t0 = Date.now();
      const r = await runCheck(file, checkEnv);
      const seconds = ((Date.now() - t0) / 1000).toFixed(1);
      for (const res of r.results) checks.push({ file: f, ...res });
      const reportedFailure = r.results.some((x) => !x.ok);
      const fileOk = r.code === 0 && !r.timedOut && !reportedFailure;
      if (r.results.length === 0 || (!fileOk && !reportedFailure)) {
        // Nothing reported, or the file died beyond what it reported: the file itself is the check.
        const why = r.timedOut ? `timed out after ${r.timeoutMs / 1000} s` : `exit code ${r.code}`;
        checks.push({ file: f, name: fileOk ? f : `${f} (${why})`, ok: fileOk });
      }
      say(`${fileOk ? green('PASS') : red('FAIL')} ${f} (${seconds} s${r.timedOut ? ', timed out' : ''})`);
    }
    const crashed = [...stack.restarts.entries()].filter(([, n]) => n > 0);
    checks.push({
      file: '(stack)',
      name: crashed.length
        ? `no service crashed during the run (restarted: ${crashed.map(([s, n]) => `${s} x${n}`).join(', ')})`
        : 'no service crashed during the run',
      ok: crashed.length === 0,
    });
  } catch (err) {
    say(red(`error: ${err.message}`));
  } finally {
    await stop();
  }

  const failed = checks.filter((c) => !c.ok);
  const passed = checks.length - failed.length;
  if (failed.length) {
    say(red('failed checks:'));
    for (const c of failed) say(red(`  ✗ ${c.file}: ${c.name}`));
    say(`last lines of the service logs (${path.relative(ROOT, logFile)}):`);
    process.stdout.write(`${tail(logFile)}\n`);
  }
  if (process.env.E2E_RESULT_FILE) {
    fs.writeFileSync(process.env.E2E_RESULT_FILE, JSON.stringify({ passed, failed: failed.length, checks }, null, 2));
  }
  say(bold(`e2e (${mysqlUrl ? 'mysql' : 'sqlite'}): ${passed} passed, ${failed.length} failed`));
  process.exit(failed.length || checks.length === 0 ? 1 : 0);
}

main().catch((err) => {
  say(red(`error: ${err.stack ?? err}`));
  process.exit(1);
});
