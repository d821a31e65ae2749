// End-to-end: real-time push in a real browser (issue 23). A page served from another origin, as a
// web client hosted elsewhere is, runs in headless Chromium: it logs in through the gateway, asks
// for stream tickets (a CORS preflight, since it sends Authorization), and opens an EventSource and
// a WebSocket with them, as browsers must (neither can set a header). A message another user posts
// over REST must reach both; a ticket must not open a second stream.
// e2e-timeout-seconds: 480
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { ensureChromium, withBrowserPage } from '../lib/browser.mjs';
import { assert, BASE_URL, check, expectJson, finish, newAccount, request } from '../lib/e2e-check.mjs';

const id = randomBytes(4).toString('hex');
const channel = `br${id}`;

/** What the page does, in the page: the functions a browser client of CanaDuck would run. */
const CLIENT_PAGE = `<!doctype html><meta charset="utf-8"><title>CanaDuck push client</title><script>
window.received = [];
window.live = { sse: false, ws: false };
window.connect = async (base, pseudo, password) => {
  const json = (res) => { if (!res.ok) throw new Error(res.url + ' answered ' + res.status); return res.json(); };
  const { token } = await json(await fetch(base + '/login', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pseudo, password }),
  }));
  const ticket = async () => (await json(await fetch(base + '/events/ticket', {
    method: 'POST', headers: { authorization: 'Bearer ' + token },
  }))).ticket;
  const sseTicket = await ticket();
  const es = new EventSource(base + '/events?ticket=' + encodeURIComponent(sseTicket));
  es.addEventListener('heartbeat', () => { window.live.sse = true; });
  es.addEventListener('message.created', (e) => window.received.push({ via: 'sse', envelope: JSON.parse(e.data) }));
  const ws = new WebSocket(base.replace(/^http/, 'ws') + '/ws?ticket=' + encodeURIComponent(await ticket()));
  ws.onmessage = (e) => {
    const envelope = JSON.parse(e.data);
    if (envelope.type === 'heartbeat') window.live.ws = true;
    if (envelope.type === 'message.created') window.received.push({ via: 'ws', envelope });
  };
  return sseTicket;
};
</script>`;

/** The page's own origin: a port of its own on this machine, as a web client's host would be. */
async function servePage() {
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(CLIENT_PAGE));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() };
}

/** Polls the page until `fn` answers truthy; fails after `ms` with what the page holds. */
async function pageWait(page, what, fn, arg, ms = 15000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await page.evaluate(fn, arg);
    if (value) return value;
    if (Date.now() > deadline) {
      const state = await page.evaluate(() => JSON.stringify({ live: window.live, received: window.received }));
      throw new Error(`${what} within ${ms} ms; the page holds ${state.slice(0, 1500)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

ensureChromium('35-realtime-browser');
let alice;
let bob;
await check('two users and a channel they are both members of', async () => {
  alice = await newAccount(`bra${id}`);
  bob = await newAccount(`brb${id}`);
  expectJson(await request('POST', '/channel', { token: alice.token, body: { name: `#${channel}` } }), 201);
  const joined = await request('POST', `/channel/${channel}/join`, { token: bob.token });
  assert.ok([200, 201].includes(joined.status), `join answered ${joined.status}: ${joined.text}`);
});

const site = await servePage();
try {
  await withBrowserPage(async (page) => {
    const pageErrors = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    let usedTicket;
    await check(
      'a page on another origin logs in and opens an EventSource and a WebSocket with tickets (CORS, no JWT in a URL)',
      async () => {
        await page.goto(site.url, { waitUntil: 'load', timeout: 30000 });
        usedTicket = await page.evaluate(
          ([base, pseudo, password]) => window.connect(base, pseudo, password),
          [BASE_URL, bob.pseudo, bob.password],
        );
        await pageWait(page, 'both streams going live (a heartbeat on each)', () => window.live.sse && window.live.ws);
      },
    );

    await check("a message posted through REST reaches the browser's EventSource and WebSocket", async () => {
      const text = `browser ${id} ${randomBytes(3).toString('hex')}`;
      const posted = expectJson(await request('POST', '/msg', { token: alice.token, body: { channel, text } }), 201);
      const got = await pageWait(
        page,
        'the message over both streams',
        (t) => {
          const vias = window.received.filter((r) => r.envelope.data?.text === t).map((r) => r.via);
          return vias.includes('sse') && vias.includes('ws') && window.received.filter((r) => r.envelope.data?.text === t);
        },
        text,
      );
      for (const { envelope } of got) {
        assert.equal(envelope.data.id, posted.id);
        assert.equal(envelope.data.from, alice.pseudo);
      }
    });

    await check('a stream ticket opens one stream only: used again, it is refused (401)', async () => {
      const status = await page.evaluate(
        // fetch resolves on the headers: a stream wrongly opened answers 200 here rather than hanging.
        async ([base, ticket]) => (await fetch(base + '/events?ticket=' + encodeURIComponent(ticket))).status,
        [BASE_URL, usedTicket],
      );
      assert.equal(status, 401);
      assert.deepEqual(pageErrors, []);
    });
  });
} finally {
  site.close();
}

finish();
