// Checks of the replica suite (resilience/replicas.mjs): every service's event stream dense in
// MySQL, a realtime client that follows a channel across a replica's death, and token revocation
// at every replica of every service.
import { createRequire } from 'node:module';
import path from 'node:path';
import { ROOT } from './run.mjs';
import { call, describe, sleep, waitFor } from './http.mjs';
import { mysqlOf, outboxFigures } from './event-backbone.mjs';
import { uniq } from './fixtures.mjs';

const WebSocket = createRequire(path.join(ROOT, 'package.json'))('ws');

/**
 * The outbox of `db` (user-service's, channel-service's...) once everything settled: every row got
 * its seq, and the seqs are exactly 1..N. Returns { rows, head, lost, duplicated }.
 */
export async function denseStream({ tally, run, db, label }) {
  const conn = await mysqlOf(run, db);
  try {
    const { sequenced, feed } = await outboxFigures(conn);
    const [rows, withSeq, distinct, min, head] = feed;
    const dense = sequenced && withSeq === distinct && (head === 0 || min === 1) && distinct === head;
    tally.check(
      `${label}: one dense sequence 1..${head} (${rows} events, ${withSeq} sequenced, ${distinct} distinct)`,
      dense && rows > 0,
      JSON.stringify({ rows, withSeq, distinct, min, head }),
    );
    return { rows, head, lost: Math.max(0, head - distinct) + (rows - withSeq), duplicated: withSeq - distinct };
  } finally {
    await conn.end();
  }
}

/**
 * A WebSocket client of one realtime replica (Bearer token, `?after=<cursor>` on a resume) that
 * counts every message.created it receives by id and keeps the last cursor.
 */
export function realtimeWatcher(token) {
  const state = { received: new Map(), cursor: undefined, ws: undefined, opens: 0 };
  const onMessage = (raw) => {
    const e = JSON.parse(raw.toString('utf8'));
    if (e.cursor) state.cursor = e.cursor;
    if (e.type === 'message.created' && Number.isInteger(e.data?.id))
      state.received.set(e.data.id, (state.received.get(e.data.id) ?? 0) + 1);
  };
  return {
    state,
    /** Connects to `base` (a realtime replica), resuming from the last cursor when there is one. */
    open(base) {
      const url = `${base.replace(/^http/, 'ws')}/ws${state.cursor ? `?after=${encodeURIComponent(state.cursor)}` : ''}`;
      return new Promise((resolve, reject) => {
        const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false });
        ws.on('message', onMessage);
        ws.once('open', () => {
          state.ws = ws;
          state.opens += 1;
          resolve(ws);
        });
        ws.once('unexpected-response', (_req, res) => reject(new Error(`GET /ws answered ${res.statusCode}`)));
        ws.once('error', reject);
      });
    },
    /** Resolves once the current socket is closed (the replica it talks to died). */
    closed: () => new Promise((resolve) => (state.ws.readyState === WebSocket.CLOSED ? resolve() : state.ws.once('close', resolve))),
    close: () => state.ws?.terminate(),
  };
}

/**
 * Revocation at every replica: a user logs out, and the old token is polled at each process
 * (directly) until it gets 401 token_revoked. Returns the delays (ms) and the failures.
 */
export async function revocationAtEveryReplica({ tally, stack, rounds = 3, limitMs = 1000 }) {
  tally.scenario(`token revocation at every replica (${rounds} logouts)`);
  const route = {
    user: (p) => `/seen/${p}`,
    message: (p) => `/msg/private?from=${p}&to=${p}`,
    channel: () => '/channel?limit=1',
    stats: () => '/stats/active-channels?limit=1',
    gateway: (p) => `/msg/private?from=${p}&to=${p}`,
    realtime: () => '/events/poll?wait=1',
  };
  const targets = stack.keys.map((key) => ({ key, base: stack.url(key), route: route[key.split('#')[0]] }));
  const delays = [];
  const failures = [];
  for (let i = 0; i < rounds; i++) {
    const pseudo = uniq('rv');
    const password = `pw-${uniq('p')}`;
    const user = stack.url('user');
    await call(user, 'POST', '/register', { body: { pseudo, password, email: `${pseudo}@canaduck.example` }, timeoutMs: 10000 });
    const token = (await call(user, 'POST', '/login', { body: { pseudo, password }, timeoutMs: 10000 })).json?.token;
    const before = await Promise.all(targets.map((t) => call(t.base, 'GET', t.route(pseudo), { token, timeoutMs: 5000 })));
    const refused = before.map((r, j) => [targets[j].key, r]).filter(([, r]) => r.status !== 200);
    if (!token || refused.length) {
      failures.push(`round ${i}: the fresh token is not accepted everywhere: ${refused.map(([k, r]) => `${k} ${describe(r)}`).join('; ')}`);
      continue;
    }
    const out = await call(user, 'POST', '/logout', { token });
    const at = Date.now();
    if (out.status >= 300) {
      failures.push(`round ${i}: logout ${describe(out)}`);
      continue;
    }
    await Promise.all(
      targets.map(async (t) => {
        let last;
        const ok = await waitFor(
          async () => ((last = await call(t.base, 'GET', t.route(pseudo), { token })), last.status === 401),
          5000,
          10,
        );
        if (ok && last.json?.code === 'token_revoked') delays.push(Date.now() - at);
        else {
          delays.push(5000);
          failures.push(`round ${i}: ${t.key} ${describe(last)}`);
        }
      }),
    );
    await sleep(50);
  }
  const sorted = [...delays].sort((a, b) => a - b);
  const max = sorted.at(-1) ?? NaN;
  tally.check(
    `a logged-out token gets 401 token_revoked from each of the ${targets.length} processes within ${limitMs} ms (${delays.length} samples, p50 ${sorted[Math.floor(sorted.length / 2)]} ms, max ${max} ms)`,
    failures.length === 0 && max <= limitMs,
    failures.slice(0, 6).join('\n'),
  );
  return { max, samples: delays.length };
}
