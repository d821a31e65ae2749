// Starts one private stack for a suite: build, fresh temp data dir, its own ports, its
// own MySQL databases (unique prefix, dropped at the end) or SQLite with --sqlite,
// explicit secrets and an admin account. Also the time budget and the clean-up.
import { execSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, SERVICES, dropStackDatabases, startStack } from '../../scripts/stack.mjs';

export { ROOT, SERVICES };

export function parseArgs(argv = process.argv.slice(2)) {
  const flag = (name) => argv.includes(`--${name}`);
  const value = (name) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  return {
    sqlite: flag('sqlite'),
    rs256: flag('rs256'),
    build: !flag('no-build'),
    verbose: flag('verbose'),
    keep: flag('keep'),
    seed: value('seed') !== undefined ? Number(value('seed')) : undefined,
    only: value('only')?.split(','),
  };
}

/** Ports basePort+1..+6 in the order of the default ones (user 1, message 2, channel 3, gateway 4, stats 5, realtime 6). */
export function portEnv(basePort) {
  const env = {};
  for (const svc of SERVICES) env[`${svc.short.toUpperCase()}_SERVICE_PORT`] = String(basePort + (svc.port - 5000));
  return env;
}

/**
 * Builds (unless --no-build), starts the stack and waits until every service is ready.
 * Returns { stack, env, args, secrets, admin, db, logFile, finish(code) }.
 */
export async function startSuiteStack({ name, basePort, budgetMs, extraEnv = {}, onFinish }) {
  const args = parseArgs();
  const started = Date.now();
  if (args.build) {
    process.stdout.write(`[${name}] building (npx tsc -b tsconfig.build.json)...\n`);
    try {
      execSync('npx tsc -b tsconfig.build.json', { cwd: ROOT, stdio: 'inherit' });
    } catch {
      process.stderr.write(`[${name}] the build failed: fix the type errors first\n`);
      process.exit(2);
    }
  }
  for (const svc of SERVICES) {
    if (!fs.existsSync(path.join(ROOT, svc.name, 'dist', 'main.js'))) {
      process.stderr.write(`[${name}] ${svc.name}/dist/main.js is missing: build first\n`);
      process.exit(2);
    }
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `canaduck-${name}-`));
  const logFile = path.join(dataDir, 'stack.log');
  const logStream = fs.createWriteStream(logFile, { flags: 'a' });
  const mysqlUrl = args.sqlite ? undefined : (process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306');
  const prefix = `rs_${name.replace(/\W/g, '')}_${randomBytes(3).toString('hex')}_`;
  const secrets = {
    JWT_SECRET: randomBytes(32).toString('hex'),
    SERVICE_TOKEN_SECRET: randomBytes(32).toString('hex'),
  };
  const admin = { pseudo: 'rsadmin', password: `Adm-${randomBytes(9).toString('base64url')}` };
  const env = {
    NODE_ENV: 'development',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    ...portEnv(basePort),
    ...secrets,
    JWT_ALGORITHM: 'HS256',
    ADMIN_PSEUDO: admin.pseudo,
    ADMIN_PASSWORD: admin.password,
    ...extraEnv,
  };
  let rsa;
  if (args.rs256) {
    // Asymmetric tokens. The launcher gives every service the same environment, so all of them get
    // both keys here; verification only ever uses the public one.
    rsa = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    Object.assign(env, { JWT_ALGORITHM: 'RS256', JWT_PRIVATE_KEY: rsa.privateKey, JWT_PUBLIC_KEY: rsa.publicKey });
  }
  if (mysqlUrl) {
    env.MYSQL_URL = mysqlUrl;
    env.MYSQL_DB_PREFIX = prefix;
  } else {
    env.MYSQL_URL = '';
  }
  // A developer's DATABASE_URL must not leak into the private stack.
  const baseEnv = { ...process.env, DATABASE_URL: '', ...env };
  if (!mysqlUrl) delete baseEnv.MYSQL_URL;

  const lines = [];
  const stack = startStack({
    env: baseEnv,
    dataDir,
    quiet: !args.verbose,
    onLine: (short, line) => {
      logStream.write(`[${short}] ${line}\n`);
      lines.push({ short, line, at: Date.now() });
      if (lines.length > 20000) lines.splice(0, 10000);
    },
  });

  let finishing = false;
  // lastLine: printed after everything else (a suite's figures must be its last line).
  const finish = async (code, lastLine) => {
    if (finishing) return;
    finishing = true;
    clearTimeout(watchdog);
    try {
      await stack.stop();
    } catch (err) {
      process.stderr.write(`[${name}] stopping the stack: ${err.message}\n`);
    }
    try {
      await onFinish?.();
    } catch (err) {
      process.stderr.write(`[${name}] clean-up: ${err.message}\n`);
    }
    if (mysqlUrl) {
      try {
        await dropStackDatabases(mysqlUrl, prefix);
      } catch (err) {
        process.stderr.write(`[${name}] could not drop databases ${prefix}*: ${err.message}\n`);
      }
    }
    logStream.end();
    if (code === 0 && !args.keep) fs.rmSync(dataDir, { recursive: true, force: true });
    else process.stdout.write(`[${name}] service logs kept in ${logFile}\n`);
    process.stdout.write(`[${name}] finished in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    if (lastLine) process.stdout.write(`${lastLine}\n`);
    process.exit(code);
  };
  const watchdog = setTimeout(() => {
    process.stderr.write(`[${name}] time budget of ${budgetMs / 1000} s exceeded: stopping\n`);
    void finish(1);
  }, budgetMs);
  for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => void finish(130));

  process.stdout.write(
    `[${name}] stack on ports ${basePort + 1}-${basePort + 5}, ${mysqlUrl ? `MySQL databases ${prefix}*` : 'SQLite'}, ${rsa ? 'RS256' : 'HS256'} tokens, in ${dataDir}\n`,
  );
  try {
    await stack.waitReady(90000);
  } catch (err) {
    process.stderr.write(`[${name}] ${err.message} (see ${logFile})\n`);
    await finish(2);
  }
  process.stdout.write(`[${name}] all services ready after ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return { stack, env: baseEnv, args, secrets, rsa, admin, db: mysqlUrl ? 'mysql' : 'sqlite', prefix, dataDir, logFile, lines, finish };
}
