// The event backbone under faults (issue 22): a private NATS server for the stack, a storm of
// writers while services, the relay and NATS itself are killed, then the streams checked for
// loss and duplicates against the databases, and the token revocation delay at every service.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { connect as natsConnect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { call, describe, sleep, waitFor } from './http.mjs';
import { startLoad, statusCounts } from './load.mjs';
import { uniq } from './fixtures.mjs';

/** A free loopback port (taken, then released). */
export function freePort() {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function answers(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/**
 * A NATS server with JetStream of the suite's own: a free port, its store under the suite's temp
 * directory, never the machine's shared 4222. kill() is a kill -9; start() brings it back on the
 * same port and store.
 */
export async function startPrivateNats(dataDir) {
  const bin = ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'].find((p) => fs.existsSync(p));
  if (!bin) throw new Error('nats-server not found (Debian package nats-server)');
  const port = await freePort();
  const storeDir = path.join(dataDir, 'nats');
  fs.mkdirSync(storeDir, { recursive: true });
  let proc;
  const handle = {
    url: `nats://127.0.0.1:${port}`,
    async start() {
      proc = spawn(bin, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], { stdio: 'ignore' });
      if (!(await waitFor(() => answers(port), 10000, 50))) throw new Error(`private nats-server did not listen on ${port}`);
    },
    kill() {
      proc?.kill('SIGKILL');
    },
    async stop() {
      if (!proc || proc.exitCode !== null || proc.signalCode) return;
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGTERM');
      await Promise.race([exited, sleep(5000).then(() => proc.kill('SIGKILL'))]);
    },
  };
  await handle.start();
  return handle;
}

/**
 * 200 writers for `seconds` through the gateway while message-service (the sequencer and relay),
 * channel-service, stats-service and the NATS server are killed -9 one after the other. The
 * launcher restarts the services; the suite restarts NATS after 2 s.
 */
export async function writeStorm({ tally, stack, nats, writeOnce, writer, channel, writers = 200, seconds = 30 }) {
  tally.scenario(`${writers} concurrent writers for ${seconds} s, kill -9 of message, channel, stats${nats ? ' and NATS' : ''} midway`);
  const storm = startLoad({
    concurrency: writers,
    pauseMs: 50,
    maxRequests: 1e6,
    task: (w, n) => writeOnce(writer, channel, `storm-${w}-${n}`, undefined, 10000),
  });
  const step = (seconds * 1000) / 6;
  const kills = [];
  for (const svc of ['message', 'channel', 'stats']) {
    await sleep(step);
    kills.push(svc);
    stack.kill(svc, 'SIGKILL');
  }
  if (nats) {
    await sleep(step);
    nats.kill();
    kills.push('nats');
    await sleep(2000);
    await nats.start();
  }
  const elapsed = () => storm.results.length && Date.now() - storm.results[0].startedAt;
  while (elapsed() < seconds * 1000) await sleep(200);
  await storm.stop();
  const counts = statusCounts(storm.results);
  tally.note(`storm: ${JSON.stringify(counts)}, killed ${kills.join(', ')}`);
  tally.check(`the storm wrote (${counts[201] ?? 0} acknowledged)`, (counts[201] ?? 0) > 0, JSON.stringify(counts));
  await stack.waitReady(60000);
  return storm;
}

export async function mysqlOf(run, db) {
  const { default: mysql } = await import('mysql2/promise');
  const u = new URL(run.env.MYSQL_URL.replace(/^mysql2:/i, 'mysql:'));
  return mysql.createConnection({
    host: u.hostname,
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: `${run.prefix}${db}`,
  });
}

export async function one(conn, sql) {
  const [rows] = await conn.query(sql);
  return Object.values(rows[0]).map(Number);
}

/**
 * A service's outbox once every committed row got its seq (up to 30 s): { sequenced, feed: [rows,
 * sequenced rows, distinct seqs, min seq, max seq] }. Dense means rows = distinct = max, min 1.
 */
export async function outboxFigures(conn) {
  let feed = [];
  const sequenced = await waitFor(
    async () => {
      feed = await one(
        conn,
        'SELECT COUNT(*), COUNT(seq), COUNT(DISTINCT seq), COALESCE(MIN(seq), 0), COALESCE(MAX(seq), 0) FROM outbox_events',
      );
      return feed[0] === feed[1];
    },
    30000,
    250,
  );
  return { sequenced, feed };
}

/**
 * Once the writes stopped: message-service's stream is dense 1..N with no duplicate, the NATS
 * stream holds exactly N messages ending at N, stats applied every seq (its cursor is N) and its
 * totals equal the database's counts. Returns { lost, duplicated }.
 */
export async function verifyStreams({ tally, run, nats, namespace = 'canaduck' }) {
  tally.scenario('every event seen exactly once (message stream, NATS relay, stats)');
  const messages = await mysqlOf(run, 'canaduck_message');
  const stats = await mysqlOf(run, 'canaduck_stats');
  try {
    const { sequenced, feed } = await outboxFigures(messages);
    const [rows, withSeq, distinct, min, head] = feed;
    tally.check(`every committed event got its seq (${rows} rows, ${withSeq} sequenced)`, sequenced, JSON.stringify(feed));
    tally.check(
      `the message stream is dense 1..${head} with no duplicate`,
      withSeq === distinct && (head === 0 || min === 1) && distinct === head,
      `min ${min}, max ${head}, ${distinct} distinct of ${withSeq}`,
    );
    let cursor = 0;
    await waitFor(
      async () => ((cursor = (await one(stats, 'SELECT COALESCE(MAX(last_seq), 0) FROM stats_state'))[0]), cursor >= head),
      60000,
      250,
    );
    tally.check(`stats applied through the head (cursor ${cursor}, head ${head})`, cursor === head, `cursor ${cursor}, head ${head}`);
    const [dbAll, dbChannel] = await one(messages, 'SELECT COUNT(*), COUNT(channel) FROM messages');
    const [statsAll] = await one(stats, 'SELECT COUNT(*) FROM stats_messages');
    const [statsChannel] = await one(stats, 'SELECT COALESCE(SUM(messages), 0) FROM stats_channel_counts');
    tally.check(
      `stats totals equal the database's counts (messages ${statsAll}/${dbAll}, channel messages ${statsChannel}/${dbChannel})`,
      statsAll === dbAll && statsChannel === dbChannel,
      `stats_messages ${statsAll} vs messages ${dbAll}; channel counts ${statsChannel} vs ${dbChannel}`,
    );
    let relayed = { messages: head, last: head };
    if (nats) {
      const nc = await natsConnect({ servers: nats.url });
      try {
        const jsm = await jetstreamManager(nc);
        await waitFor(
          async () => {
            const info = await jsm.streams.info(`${namespace}_EVENTS_MESSAGE`.toUpperCase());
            // A seq erased after a scrub (a deleted message) lives on as its scrubbed copy: it counts once.
            const scrubbed = await jsm.streams.info(`${namespace}_SCRUBBED_MESSAGE`.toUpperCase()).then(
              (s) => Number(s.state.messages),
              () => 0,
            );
            relayed = { messages: Number(info.state.messages) + scrubbed, last: Number(info.state.last_seq) };
            return relayed.last >= head;
          },
          30000,
          250,
        );
      } finally {
        await nc.close();
      }
      tally.check(
        `the NATS relay published every seq once (${relayed.messages} messages, last ${relayed.last}, head ${head})`,
        relayed.messages === head && relayed.last === head,
        JSON.stringify(relayed),
      );
    }
    const lost =
      Math.max(0, head - distinct) + Math.max(0, head - cursor) + Math.max(0, dbAll - statsAll) + Math.max(0, head - relayed.messages);
    const duplicated =
      withSeq - distinct + Math.max(0, statsAll - dbAll) + Math.max(0, statsChannel - dbChannel) + Math.max(0, relayed.messages - head);
    return { lost, duplicated };
  } finally {
    await messages.end();
    await stats.end();
  }
}

/**
 * Revocation delay at every service: a user logs in, changes their password, and the old token
 * is polled at each service (directly, and the gateway) until 401 token_revoked. `rounds` changes.
 */
export async function measureRevocation({ tally, stack, rounds = 5 }) {
  tally.scenario(`token revocation at every service (${rounds} password changes)`);
  const user = stack.url('user');
  const targets = {
    user: (p) => [stack.url('user'), `/seen/${p}`],
    message: (p) => [stack.url('message'), `/msg/private?from=${p}&to=${p}`],
    channel: () => [stack.url('channel'), '/channel?limit=1'],
    stats: () => [stack.url('stats'), '/stats/active-channels?limit=1'],
    gateway: (p) => [stack.url('gateway'), `/msg/private?from=${p}&to=${p}`],
  };
  const delays = [];
  const failures = [];
  for (let i = 0; i < rounds; i++) {
    const pseudo = uniq('rv');
    const password = `pw-${uniq('p')}`;
    await call(user, 'POST', '/register', { body: { pseudo, password, email: `${pseudo}@canaduck.example` }, timeoutMs: 10000 });
    const token = (await call(user, 'POST', '/login', { body: { pseudo, password }, timeoutMs: 10000 })).json?.token;
    const before = await Promise.all(
      Object.values(targets).map((t) => {
        const [base, route] = t(pseudo);
        return call(base, 'GET', route, { token });
      }),
    );
    const notAccepted = before.filter((r) => r.status !== 200);
    if (!token || notAccepted.length) {
      failures.push(`round ${i}: the fresh token is not accepted everywhere: ${notAccepted.map(describe).join('; ')}`);
      continue;
    }
    const changed = await call(user, 'PATCH', `/user/${pseudo}/password`, {
      token,
      body: { old_password: password, new_password: `${password}-2` },
    });
    const at = Date.now();
    if (changed.status !== 200) {
      failures.push(`round ${i}: password change ${describe(changed)}`);
      continue;
    }
    await Promise.all(
      Object.entries(targets).map(async ([name, t]) => {
        const [base, route] = t(pseudo);
        let last;
        const ok = await waitFor(async () => ((last = await call(base, 'GET', route, { token })), last.status === 401), 5000, 10);
        if (ok && last.json?.code === 'token_revoked') delays.push(Date.now() - at);
        else {
          // Never refused within the wait: counted at the wait's length, so the p99 shows it.
          delays.push(5000);
          failures.push(`round ${i}: ${name} ${describe(last)}`);
        }
      }),
    );
  }
  const sorted = [...delays].sort((a, b) => a - b);
  const p99 = sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)] : NaN;
  tally.check(
    `every service refuses the old token with 401 token_revoked within 1 s (${delays.length} samples, p50 ${sorted[Math.floor(sorted.length / 2)]} ms, p99 ${p99} ms)`,
    failures.length === 0 && p99 <= 1000,
    failures.slice(0, 5).join('\n'),
  );
  return p99 / 1000;
}
