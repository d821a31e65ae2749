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
