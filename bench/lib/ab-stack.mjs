// The common part of the A/B scripts (bench/ab.mjs, bench/ab-gateway.mjs): a stack of its own on
// `settings.basePort`.. with fresh secrets, a temporary data directory and, on MySQL, its own
// databases; accounts and channels seeded through the APIs and `settings.small` messages straight
// into message-service's tables, as the benchmark does. `close()` stops everything and drops it all.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startStack } from '../../scripts/stack.mjs';
import { dbTarget, dropMysqlDatabases, hasTrigger, openDb } from './db.mjs';
import { HISTORY_MS, seedAccounts, seedMessages } from './seed.mjs';

export async function startAbStack(settings) {
  const prefix = `bench_${process.pid}_${Date.now().toString(36)}_`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'canaduck-ab-'));
  const secrets = { JWT_SECRET: randomBytes(32).toString('hex'), SERVICE_TOKEN_SECRET: randomBytes(32).toString('hex') };
  const env = {
    ...secrets,
    LOG_LEVEL: settings.logLevel,
    ...Object.fromEntries(
      ['USER', 'MESSAGE', 'CHANNEL', 'GATEWAY', 'STATS'].map((k, i) => [`${k}_SERVICE_PORT`, String(settings.basePort + i)]),
    ),
  };
  if (settings.kind === 'mysql') Object.assign(env, { MYSQL_URL: settings.mysqlUrl, MYSQL_DB_PREFIX: prefix });
  else delete process.env.MYSQL_URL;
  const stack = startStack({ dataDir, env, quiet: true, restart: false });
  const close = async () => {
    await stack.stop();
    if (settings.kind === 'mysql') await dropMysqlDatabases(settings, prefix);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await stack.waitReady(120_000);
    const { users, channels } = await seedAccounts(stack, settings, secrets);
    const db = openDb(dbTarget(settings, dataDir, prefix, 'message'));
    const [{ maxId }] = await db.query('SELECT MAX(id) AS maxId FROM messages');
    const ctx = {
      users,
      channels,
      firstId: Number(maxId ?? 0) + 1,
      startMs: Date.now() - HISTORY_MS,
      // message-service's trigger writes the message.created rows: the seeder must not add them too.
      createdByTrigger: await hasTrigger(db, 'messages', 'messages_created_event'),
    };
    await seedMessages(db, ctx, 0, settings.small, settings, 'seeding');
    await db.close();
    return { stack, users, channels, secrets, env, dataDir, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Resolves once `${url}/ready` answers 200 (a minute at most). */
export async function waitReady(url) {
  for (let t = 0; t < 300; t++) {
    const ok = await fetch(`${url}/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready`);
}
