// Secret channels that stay secret (an identical 404 for an unknown and a secret channel on every
// route), the abuse limits, and idempotent writes (issue 25). Every request is recorded by `hit`.
import { randomUUID } from 'node:crypto';
import { uniq } from './fixtures.mjs';

/** The answer with the asked name or id replaced, so that two answers can be compared. */
const shape = (res, name) => `${res.status} ${(res.text ?? '').split(String(name)).join('<name>')}`;

export async function runSecrecyAndLimits({ tally, hit, mark, group, gw, alice, bob, mallory, pub, sec, msgSec }) {
  tally.scenario('secret channels: the 404 of an unknown channel on every route');
  let m = mark();
  const unknown = uniq('nochan');
  const unknownId = msgSec.id + 10_000_000;
  const byChannel = [
    ['GET', (c) => `/msg?channel=${c}`],
    ['POST', () => '/msg', (c) => ({ channel: c, text: 'probe' })],
    ['GET', (c) => `/msg/pinned?channel=${c}`],
    ['GET', (c) => `/msg/search?q=probe&channel=${c}`],
    ['GET', (c) => `/channel/${c}/config`],
    ['GET', (c) => `/channel/${c}/users`],
    ['PATCH', (c) => `/channel/${c}`, () => ({ topic: 'probe' })],
    ['POST', (c) => `/channel/${c}/topic`, () => ({ topic: 'probe' })],
    ['POST', (c) => `/channel/${c}/mode`, () => ({ mode: '-s' })],
    ['DELETE', (c) => `/channel/${c}`],
    ['POST', (c) => `/channel/${c}/join`],
    ['POST', (c) => `/channel/${c}/part`],
    ['POST', (c) => `/channel/${c}/invite`, () => ({ pseudo: bob.pseudo })],
    ['POST', (c) => `/channel/${c}/ban`, () => ({ pseudo: bob.pseudo, reason: 'probe' })],
    ['DELETE', (c) => `/channel/${c}/ban/${bob.pseudo}`],
    ['POST', (c) => `/channel/${c}/kick`, () => ({ pseudo: bob.pseudo })],
    ['POST', (c) => `/channel/${c}/moderators`, () => ({ pseudo: bob.pseudo })],
    ['DELETE', (c) => `/channel/${c}/moderators/${bob.pseudo}`],
    ['GET', (c) => `/fullinfo?user=${alice.pseudo}&channel=${c}`],
  ];
  const byMessage = [
    ['GET', (id) => `/msg/thread/${id}`],
    ['PUT', (id) => `/msg/${id}`, () => ({ text: 'probe' })],
    ['DELETE', (id) => `/msg/${id}`],
    ['POST', () => '/msg/reaction', (id) => ({ message_id: id, emoji: '👍' })],
    ['DELETE', (id) => `/msg/reaction?message_id=${id}&emoji=%F0%9F%91%8D`],
    ['POST', (id) => `/msg/${id}/pin`],
    ['DELETE', (id) => `/msg/${id}/pin`],
  ];
  const oracle = async (method, path, body, secretName, unknownName) => {
    const label = `${method} ${path(secretName).split('?')[0].replace(String(secretName), '<secret>')}`;
    const forUnknown = await hit(`${label}, unknown`, {
      method,
      path: path(unknownName),
      body: body?.(unknownName),
      token: mallory.token,
      as: 'mallory',
    });
    await hit(
      `${label}, secret`,
      { method, path: path(secretName), body: body?.(secretName), token: mallory.token, as: 'mallory' },
      {
        expect: (r) =>
          (r.status !== 403 && shape(r, secretName) === shape(forUnknown, unknownName)) ||
          `answered ${shape(r, secretName)} where an unknown one gets ${shape(forUnknown, unknownName)}`,
      },
    );
  };
  for (const [method, path, body] of byChannel) await oracle(method, path, body, sec, unknown);
  for (const [method, path, body] of byMessage) await oracle(method, path, body, msgSec.id, unknownId);
  group(`${byChannel.length + byMessage.length} routes: a secret channel (or its message) answers as an unknown one`, m);

  tally.scenario('abuse limits');
  m = mark();
  const target = await gw.post('/msg', { channel: pub, text: 'react to me' }, { token: bob.token });
  const emoji = ['😀', '😁', '😂', '🤣', '😃', '😄', '😅', '😆', '😉', '😊', '😋'];
  for (const e of emoji.slice(0, 10)) await gw.post('/msg/reaction', { message_id: target.json.id, emoji: e }, { token: bob.token });
  await hit(
    'an 11th reaction of one user on one message',
    { method: 'POST', path: '/msg/reaction', body: { message_id: target.json.id, emoji: emoji[10] }, token: bob.token, as: 'bob' },
    { expect: (r) => (r.status === 422 && r.json?.code === 'too_many_reactions') || 'expected 422 too_many_reactions' },
  );
  await hit(
    'a search page past offset + limit 1,000',
    { method: 'GET', path: '/msg/search?q=hello&offset=990&limit=20', token: bob.token, as: 'bob' },
    { expect: (r) => (r.status === 400 && r.json?.code === 'search_too_deep') || 'expected 400 search_too_deep' },
  );
  for (const path of [`/msg?channel=${pub}&offset=10001`, '/channel?offset=10001', `/channel/${pub}/users?offset=10001`]) {
    await hit(
      `offset 10,001 on ${path.split('?')[0]}`,
      { method: 'GET', path, token: bob.token, as: 'bob' },
      { expect: (r) => (r.status === 400 && r.json?.code === 'offset_too_large') || 'expected 400 offset_too_large' },
    );
  }
  group('reactions per user, search depth and list offsets are bounded', m);

  tally.scenario('idempotent writes');
  m = mark();
  const key = randomUUID();
  const text = `once ${uniq('idem')}`;
  const idem = (body, k = key) => ({ method: 'POST', path: '/msg', body, token: bob.token, as: 'bob', headers: { 'idempotency-key': k } });
  const first = await hit('POST /msg with an Idempotency-Key', idem({ channel: pub, text }), { expect: [201] });
  await hit('the same POST retried with the same key', idem({ channel: pub, text }), {
    expect: (r) => (r.status === 201 && r.text === first.text) || 'expected the first answer again',
  });
  await hit('the same key with another body', idem({ channel: pub, text: `${text} changed` }), {
    expect: (r) => (r.status === 422 && r.json?.code === 'idempotency_key_reused') || 'expected 422 idempotency_key_reused',
  });
  await hit('an Idempotency-Key of 300 characters', idem({ channel: pub, text }, 'k'.repeat(300)), {
    expect: (r) => (r.status === 400 && r.json?.code === 'invalid_idempotency_key') || 'expected 400 invalid_idempotency_key',
  });
  const page = await gw.get(`/msg?channel=${pub}&limit=50`, { token: bob.token });
  const copies = (page.json?.messages ?? []).filter((msg) => msg.text === text).length;
  group('Idempotency-Key: a retry replays the first answer, another body is refused', m);
  tally.check(`the retried post exists once (found ${copies})`, copies === 1, `GET /msg: ${page.status}`);
}
