// End-to-end: real-time delivery through the gateway (issue 23). One user posts through REST; another,
// a member of the channel, receives it live over Server-Sent Events (fetch streaming, Bearer token),
// over a WebSocket (`ws`, Bearer token), and over a WebSocket opened with a ticket as a browser does.
// e2e-timeout-seconds: 90
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assert, BASE_URL, check, expectJson, finish, request, newAccount } from '../lib/e2e-check.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const WebSocket = createRequire(path.join(ROOT, 'package.json'))('ws');
const WS_URL = BASE_URL.replace(/^http/, 'ws');
const id = randomBytes(4).toString('hex');
const channel = `rt${id}`;

/** `prefix` + this run's id: a new account through the gateway. */
const account = (prefix) => newAccount(`${prefix}${id}`);

/** Resolves with the first envelope `match` accepts among those `subscribe` hands over, or fails after `ms`. */
function firstEnvelope(what, subscribe, match, ms = 15000) {
  return new Promise((resolve, reject) => {
    const seen = [];
    const timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms; received: ${JSON.stringify(seen).slice(0, 1500)}`)), ms);
    subscribe((envelope) => {
      seen.push(envelope.type);
      if (!match(envelope)) return;
      clearTimeout(timer);
      resolve(envelope);
    });
  });
}

/** An SSE stream read with fetch: calls `onEnvelope` with each `data:` envelope. */
async function openSse(token, onEnvelope) {
  const abort = new AbortController();
  const res = await fetch(`${BASE_URL}/events`, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    signal: abort.signal,
  });
  // The body is read only when refused: a stream's body never ends.
  if (res.status !== 200) assert.fail(`GET /events answered ${res.status}: ${await res.text()}`);
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split('\n')
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trimStart())
            .join('\n');
          if (data) onEnvelope(JSON.parse(data));
        }
      }
    } catch {
      // Aborted at the end of the check.
    }
  })();
  return () => abort.abort();
}

/** A WebSocket through the gateway; envelopes are handed to `onEnvelope` from the first frame on. */
function openWs(url, headers, onEnvelope) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    ws.on('message', (raw) => onEnvelope(JSON.parse(raw.toString('utf8'))));
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`GET /ws answered ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** Listeners set before the stream opens: a frame that comes with the opening is never missed. */
function relay() {
  const listeners = new Set();
  return {
    emit: (e) => listeners.forEach((l) => l(e)),
    subscribe: (l) => listeners.add(l),
  };
}

const isHeartbeat = (e) => e.type === 'heartbeat';

async function deliveredOver(kind, open) {
  const frames = relay();
  const live = firstEnvelope(`${kind}: the stream going live (heartbeat)`, frames.subscribe, isHeartbeat);
  // Awaited below; if opening fails first, its own error is the one reported.
  live.catch(() => undefined);
  const close = await open(frames.emit);
  try {
    await live;
    const text = `${kind} ${id} ${randomBytes(3).toString('hex')}`;
    const received = firstEnvelope(
      `${kind}: alice's message`,
      frames.subscribe,
      (e) => e.type === 'message.created' && e.data?.text === text,
    );
    const posted = expectJson(await request('POST', '/msg', { token: alice.token, body: { channel, text } }), 201);
    const envelope = await received;
    assert.equal(envelope.data.id, posted.id);
    assert.equal(envelope.data.from, alice.pseudo);
    assert.equal(typeof envelope.cursor, 'string');
    assert.ok(!Number.isNaN(Date.parse(envelope.at)), `at is a time: ${envelope.at}`);
  } finally {
    close();
  }
}

let alice;
let bob;
await check('two users and a channel they are both members of', async () => {
  alice = await account('rta');
  bob = await account('rtb');
  expectJson(await request('POST', '/channel', { token: alice.token, body: { name: `#${channel}` } }), 201);
  const joined = await request('POST', `/channel/${channel}/join`, { token: bob.token });
  assert.ok([200, 201].includes(joined.status), `join answered ${joined.status}: ${joined.text}`);
});

await check('a stream without a token is refused at the gateway (401)', async () => {
  const res = await request('GET', '/events');
  assert.equal(expectJson(res, 401).code, 'token_missing');
});

await check('a message posted through REST reaches another member over SSE (GET /events)', () =>
  deliveredOver('SSE', (emit) => openSse(bob.token, emit)),
);

await check('a message posted through REST reaches another member over WebSocket (GET /ws, Bearer)', () =>
  deliveredOver('WebSocket', async (emit) => {
    const ws = await openWs(`${WS_URL}/ws`, { authorization: `Bearer ${bob.token}` }, emit);
    return () => ws.terminate();
  }),
);

await check('a browser-style WebSocket opened with a ticket (POST /events/ticket, ?ticket=) receives it too', () =>
  deliveredOver('WebSocket with a ticket', async (emit) => {
    const { ticket } = expectJson(await request('POST', '/events/ticket', { token: bob.token }), 201);
    const ws = await openWs(`${WS_URL}/ws?ticket=${encodeURIComponent(ticket)}`, {}, emit);
    return () => ws.terminate();
  }),
);

finish();
