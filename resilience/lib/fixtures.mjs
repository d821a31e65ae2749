// Setup helpers through the public API (the gateway): users, logins, channels.
import { randomBytes } from 'node:crypto';
import { describe } from './http.mjs';

export const uniq = (prefix) => `${prefix}${randomBytes(4).toString('hex')}`;

function expect(res, statuses, what) {
  if (!statuses.includes(res.status)) throw new Error(`${what}: expected ${statuses.join('/')}, got ${describe(res)}`);
  return res.json;
}

/** Registers then logs in a new user; returns { pseudo, password, email, token }. */
export async function newUser(gw, prefix = 'u') {
  const pseudo = uniq(prefix);
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const email = `${pseudo}@canaduck.example`;
  expect(await gw.post('/register', { pseudo, password, email }, { timeoutMs: 10000 }), [201], `register ${pseudo}`);
  const token = await login(gw, pseudo, password);
  return { pseudo, password, email, token };
}

export async function login(gw, pseudo, password) {
  const body = expect(await gw.post('/login', { pseudo, password }, { timeoutMs: 10000 }), [200], `login ${pseudo}`);
  if (typeof body?.token !== 'string') throw new Error(`login ${pseudo}: no token in ${JSON.stringify(body)}`);
  return body.token;
}

/** Creates a channel owned by `owner`; `modes` like '+s' are applied afterwards. */
export async function newChannel(gw, owner, { prefix = 'c', private: priv = false, modes } = {}) {
  const name = uniq(prefix);
  expect(await gw.post('/channel', { name, private: priv }, { token: owner.token, timeoutMs: 5000 }), [201], `create channel ${name}`);
  if (modes)
    expect(
      await gw.post(`/channel/${name}/mode`, { mode: modes }, { token: owner.token, timeoutMs: 5000 }),
      [200],
      `mode ${modes} on ${name}`,
    );
  return name;
}

export async function join(gw, user, channel) {
  return expect(
    await gw.post(`/channel/${channel}/join`, {}, { token: user.token, timeoutMs: 5000 }),
    [200, 201],
    `${user.pseudo} joins ${channel}`,
  );
}

export async function invite(gw, owner, channel, pseudo) {
  return expect(
    await gw.post(`/channel/${channel}/invite`, { pseudo }, { token: owner.token, timeoutMs: 5000 }),
    [200, 201],
    `invite ${pseudo} to ${channel}`,
  );
}

export async function post(gw, user, fields) {
  return expect(
    await gw.post('/msg', fields, { token: user.token, timeoutMs: 5000 }),
    [201],
    `${user.pseudo} posts ${JSON.stringify(fields).slice(0, 80)}`,
  );
}

/**
 * Every message of a channel through the gateway, paged by the `before` cursor (offsets stop at
 * 10,000): { messages: Map id -> text, error? (the failed page's answer) }.
 */
export async function readChannel(gw, reader, channel) {
  const messages = new Map();
  for (let before = null; ;) {
    const cursor = before === null ? '' : `&before=${before}`;
    const page = await gw.get(`/msg?channel=${channel}&limit=200${cursor}`, { token: reader.token, timeoutMs: 10000 });
    if (page.status !== 200 || !Array.isArray(page.json?.messages))
      return { messages, error: `before ${before ?? 'none'}: ${describe(page)}` };
    for (const m of page.json.messages) messages.set(m.id, m.text);
    if (page.json.next_before === null || page.json.next_before === undefined || page.json.messages.length < 200) return { messages };
    before = page.json.next_before;
  }
}

/**
 * The acknowledged messages (id -> text) missing from `seen` (the listings), and among them those
 * that `/msg/thread/<id>` cannot show either (really lost, not a paging problem).
 */
export async function acknowledgedLost(gw, reader, acknowledged, seen) {
  const lost = [...acknowledged].filter(([id, text]) => seen.get(id) !== text);
  const reallyLost = [];
  for (const [id, text] of lost) {
    const r = await gw.get(`/msg/thread/${id}`, { token: reader.token });
    const root =
      r.json?.message ?? r.json?.root ?? (Array.isArray(r.json?.messages) ? r.json.messages.find((m) => m.id === id) : undefined);
    if (!(r.status === 200 && root?.text === text)) reallyLost.push({ id, text, answer: describe(r) });
  }
  return { lost, reallyLost };
}

/** The suites' check that nothing acknowledged is lost, with the first lost ones as its detail. */
export function checkNothingLost(tally, acknowledged, reallyLost) {
  return tally.check(
    `all ${acknowledged.size} acknowledged messages are readable with their text`,
    reallyLost.length === 0,
    reallyLost
      .slice(0, 5)
      .map((l) => `id ${l.id} "${l.text}": ${l.answer}`)
      .join('\n'),
  );
}
