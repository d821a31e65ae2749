// Hand-written bad bodies: too large (413), fields too long (422), malformed JSON
// (400), wrong JSON types (400), odd content types and charsets, deep nesting,
// prototype pollution, request-id injection.
import { uniq } from './fixtures.mjs';
import { describe } from './http.mjs';

export async function runInputAbuse(c) {
  const { tally, hit, mark, group, gw, svc, admin, mallory, mChannel, mMsg } = c;
  const me = { token: mallory.token, as: mallory.pseudo };
  const big = 'a'.repeat(200 * 1024);

  tally.scenario('oversized bodies and fields');
  let m = mark();
  for (const [where, base] of [
    ['gateway', gw.base],
    ['message-service', svc.message.base],
  ]) {
    await hit(
      `200 kB message body via ${where}`,
      { base, method: 'POST', path: '/msg', body: { channel: mChannel, text: big }, ...me },
      { expect: [413] },
    );
  }
  await hit('200 kB channel body', { method: 'POST', path: '/channel', body: { name: uniq('big'), topic: big }, ...me }, { expect: [413] });
  await hit(
    '200 kB register body (user-service)',
    {
      base: svc.user.base,
      method: 'POST',
      path: '/register',
      body: { pseudo: uniq('big'), password: 'long-enough', email: 'x@canaduck.example', junk: big },
    },
    { expect: [413] },
  );
  await hit(
    '200 kB reaction body',
    { method: 'POST', path: '/msg/reaction', body: { message_id: mMsg.id, emoji: big }, ...me },
    { expect: [413] },
  );
  group('bodies over the limit: 413', m);
  m = mark();
  const tooLong = [
    ['message text of 4001 characters', 'POST', '/msg', { channel: mChannel, text: 'x'.repeat(4001) }],
    ['edit to 4001 characters', 'PUT', `/msg/${mMsg.id}`, { text: 'x'.repeat(4001) }],
    ['whitespace-only text', 'POST', '/msg', { channel: mChannel, text: '   \n\t ' }],
    ['topic of 301 characters', 'POST', `/channel/${mChannel}/topic`, { topic: 't'.repeat(301) }],
    ['channel name of 51 characters', 'POST', '/channel', { name: 'c'.repeat(51) }],
    ['channel name with a space', 'POST', '/channel', { name: 'bad name' }],
    ['status of 65 characters', 'POST', '/user/status', { status: 's'.repeat(65) }],
    ['two emoji as one reaction', 'POST', '/msg/reaction', { message_id: mMsg.id, emoji: '👍👍' }],
    ['a letter as a reaction', 'POST', '/msg/reaction', { message_id: mMsg.id, emoji: 'a' }],
    ['unknown mode letter', 'POST', `/channel/${mChannel}/mode`, { mode: '+z' }],
    ['avatar with a javascript: URL', 'POST', '/user/avatar', { avatar_url: 'javascript:alert(1)' }],
  ];
  for (const [label, method, path, body] of tooLong) await hit(label, { method, path, body, ...me }, { expect: [422] });
  await hit(
    'unknown role (admin)',
    { method: 'POST', path: `/user/roles/${mallory.pseudo}`, body: { role: 'superuser' }, token: admin.token, as: 'admin' },
    { expect: [422] },
  );
  for (const [label, body] of [
    ['pseudo of 31 characters', { pseudo: `p${'x'.repeat(30)}`, password: 'long-enough', email: `${uniq('e')}@canaduck.example` }],
    ['pseudo starting with a digit', { pseudo: `1${uniq('p')}`, password: 'long-enough', email: `${uniq('e')}@canaduck.example` }],
    ['password of 73 bytes', { pseudo: uniq('p'), password: 'é'.repeat(37), email: `${uniq('e')}@canaduck.example` }],
    ['password of 7 characters', { pseudo: uniq('p'), password: 'short12', email: `${uniq('e')}@canaduck.example` }],
    ['invalid email', { pseudo: uniq('p'), password: 'long-enough', email: 'not-an-email' }],
  ]) {
    await hit(`register: ${label}`, { base: svc.user.base, method: 'POST', path: '/register', body }, { expect: [422] });
  }
  group('fields breaking a rule: 422', m);

  tally.scenario('malformed JSON, wrong types, odd content');
  m = mark();
  const malformed = ['{', '{"channel": "x", "text": }', "{'channel': 'x'}", '{"text": "\\u12"}', '[1,2', '{"a":1}garbage', '\u0000'];
  const targets = [
    [gw.base, 'POST', '/msg'],
    [gw.base, 'POST', '/channel'],
    [gw.base, 'PUT', `/msg/${mMsg.id}`],
    [gw.base, 'POST', '/msg/reaction'],
    [gw.base, 'PATCH', `/channel/${mChannel}`],
    [gw.base, 'POST', '/user/status'],
    [svc.user.base, 'POST', '/login'],
    [svc.user.base, 'POST', '/register'],
  ];
  for (const [base, method, path] of targets) {
    for (const raw of malformed)
      await hit(`malformed JSON ${JSON.stringify(raw)} on ${method} ${path}`, { base, method, path, raw, ...me }, { expect: [400] });
  }
  group('malformed JSON: 400', m);
  m = mark();
  const wrongTypes = [
    ['POST', '/msg', { channel: 123, text: 'x' }],
    ['POST', '/msg', { channel: mChannel, text: ['x'] }],
    ['POST', '/msg', { channel: { $gt: '' }, text: 'x' }],
    ['POST', '/msg', { channel: mChannel, text: 'x', reply_to: '1 OR 1=1' }],
    ['POST', '/msg', { to: ['a', 'b'], text: 'x' }],
    ['POST', '/msg', []],
    ['POST', '/msg', 'just a string'],
    ['POST', '/msg', null],
    ['POST', '/msg', {}],
    ['PUT', `/msg/${mMsg.id}`, { text: 5 }],
    ['POST', '/msg/reaction', { message_id: '1 OR 1=1', emoji: '👍' }],
    ['POST', '/msg/reaction', { message_id: { $ne: null }, emoji: '👍' }],
    ['POST', '/channel', { name: uniq('t'), private: 'yes' }],
    ['POST', '/channel', { name: ['a'] }],
    ['POST', `/channel/${mChannel}/topic`, { topic: { a: 1 } }],
    ['POST', `/channel/${mChannel}/mode`, { mode: 7 }],
    ['POST', `/channel/${mChannel}/invite`, { pseudo: { $ne: null } }],
    ['POST', '/user/status', { status: false }],
  ];
  for (const [method, path, body] of wrongTypes) {
    await hit(
      `wrong type ${JSON.stringify(body)} on ${method} ${path}`,
      { method, path, raw: JSON.stringify(body), ...me },
      { expect: [400] },
    );
  }
  for (const body of [
    { pseudo: { $ne: null }, password: { $ne: null } },
    { pseudo: { $gt: '' }, password: 'x' },
    { pseudo: mallory.pseudo, password: { $ne: null } },
    { pseudo: mallory.pseudo, password: ['x'] },
    { pseudo: mallory.pseudo, password: true },
  ]) {
    await hit(
      `login with ${JSON.stringify(body)} (user-service)`,
      { base: svc.user.base, method: 'POST', path: '/login', body },
      { expect: [400] },
    );
  }
  group('wrong JSON types: 400 (and no operator-injection login)', m);
  m = mark();
  await hit(
    'text/plain body',
    { method: 'POST', path: '/msg', raw: `{"channel":"${mChannel}","text":"x"}`, contentType: 'text/plain', ...me },
    { expect: [400, 415] },
  );
  await hit(
    'form body',
    { method: 'POST', path: '/msg', raw: `channel=${mChannel}&text=x`, contentType: 'application/x-www-form-urlencoded', ...me },
    { expect: [400, 415] },
  );
  await hit(
    'latin-1 charset',
    {
      method: 'POST',
      path: '/msg',
      raw: Buffer.from(`{"channel":"${mChannel}","text":"caf\u00e9"}`, 'latin1'),
      contentType: 'application/json; charset=iso-8859-1',
      ...me,
    },
    { expect: [415] },
  );
  await hit(
    'gzip content-encoding that is not gzip',
    { method: 'POST', path: '/msg', raw: '{"channel":"x","text":"y"}', headers: { 'content-encoding': 'gzip' }, ...me },
    { expect: [400, 415] },
  );
  await hit(
    'JSON nested 20000 deep',
    { method: 'POST', path: '/msg', raw: `${'['.repeat(20000)}${']'.repeat(20000)}`, ...me },
    { expect: [400, 413, 422] },
  );
  await hit(
    'object nested 3000 deep in a field',
    { method: 'POST', path: '/msg', raw: `{"channel":"${mChannel}","text":${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}}`, ...me },
    { expect: [400, 422] },
  );
  await hit(
    'prototype pollution attempt',
    {
      method: 'POST',
      path: '/msg',
      raw: `{"__proto__":{"roles":["admin"],"admin":true},"constructor":{"prototype":{"admin":true}},"channel":"${mChannel}","text":"proto"}`,
      ...me,
    },
    { expect: (r) => r.status < 500 },
  );
  await hit(
    'duplicate query parameters',
    { method: 'GET', path: `/msg?channel=${mChannel}&channel=other&limit=1&limit=2`, ...me },
    { expect: [200, 400, 404] },
  );
  await hit(
    'query parameter as array syntax',
    { method: 'GET', path: `/msg?channel[]=${mChannel}&limit[$gt]=1`, ...me },
    { expect: [400, 404] },
  );
  await hit('paging out of bounds', { method: 'GET', path: `/msg?channel=${mChannel}&limit=100000&offset=-5`, ...me }, { expect: [400] });
  const rid = await hit(
    'X-Request-Id with markup',
    { method: 'GET', path: '/channel', headers: { 'x-request-id': '<script>alert(1)</script>' } },
    { expect: [200] },
  );
  tally.check(
    'an unsafe X-Request-Id is replaced, not echoed',
    rid.headers.get('x-request-id') && !rid.headers.get('x-request-id').includes('<'),
    describe(rid),
  );
  group('odd content answered cleanly', m);
  const priv = await gw.post(`/make-admin/${mallory.pseudo}`, {}, { token: mallory.token });
  tally.check('after the pollution attempt, mallory is still no admin (403)', priv.status === 403, describe(priv));
}
