#!/usr/bin/env node
// Writes canaduck.collection.json from the table below: one request per public route
// (structures.md section 6), each with a test script on its status code and key fields.
// Run `node scripts/hoppscotch/generate.mjs` after editing; system-tests checks that the
// committed collection is this script's output and that it covers every public route.
//
// The requests run in order and share state through the environment: the first one makes
// unique names for the run, logins store their tokens, creations store ids.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const COLLECTION_FILE = path.join(HERE, 'canaduck.collection.json');

/** The environment variables the collection uses; local.environment.json declares them all. */
export const VARIABLES = [
  'base_url',
  'admin_pseudo',
  'admin_password',
  'run',
  'pseudo_a',
  'pseudo_b',
  'pseudo_c',
  'password_a',
  'password_b',
  'password_c',
  'new_password_a',
  'channel',
  'word',
  'token',
  'token_b',
  'token_c',
  'admin_token',
  'role_token',
  'stale_token',
  'stale_token_b',
  'msg_id',
  'reply_id',
  'private_id',
  'ticket',
];

// Unique names per run: pseudos start with a letter (<= 30 chars), channels are [a-z0-9_-].
const SETUP = `
const run = Date.now().toString(36) + Math.floor(Math.random() * 1e6).toString(36);
const secret = () => Array.from({ length: 24 }, () => 'abcdefghijkmnpqrstuvwxyz23456789'[Math.floor(Math.random() * 32)]).join('');
pw.env.set('run', run);
pw.env.set('pseudo_a', 'hoppa' + run);
pw.env.set('pseudo_b', 'hoppb' + run);
pw.env.set('pseudo_c', 'hoppc' + run);
pw.env.set('password_a', secret());
pw.env.set('password_b', secret());
pw.env.set('password_c', secret());
pw.env.set('new_password_a', secret());
pw.env.set('channel', 'hopp-' + run);
pw.env.set('word', 'canard' + run);
for (const k of ['token', 'token_b', 'token_c', 'admin_token', 'role_token', 'stale_token', 'stale_token_b', 'msg_id', 'reply_id', 'private_id', 'ticket']) pw.env.set(k, '');
`;

// Admin routes: with admin credentials in the environment they are exercised as an admin,
// without them a regular user must be refused (403). Both are real checks.
const ROLE_TOKEN = `pw.env.set('role_token', pw.env.get('admin_token') || pw.env.get('token'));`;
const IS_ADMIN = `!!pw.env.get('admin_token')`;

/**
 * One request. `auth`: the environment variable holding the bearer token, or null.
 * `status`: the expected code (or list, or a JS expression string starting with `=`).
 * `checks`: test name -> JS expression over `b` (the JSON body) and `env(name)`.
 * `set`: environment variable -> JS expression, stored after the checks.
 */
function req(name, method, route, o = {}) {
  const { auth = 'token', body, status = 200, checks = {}, set = {}, pre = '', query = '' } = o;
  const endpoint = `<<base_url>>${route.replace(/\{(\w+)\}/g, (_, v) => `<<${v}>>`)}${query}`;
  const expected = typeof status === 'string' && status.startsWith('=') ? status.slice(1) : JSON.stringify([status].flat());
  const test = [
    `const b = pw.response.body;`,
    `const env = (k) => pw.env.get(k);`,
    `const expected = ${expected};`,
    `pw.test(${JSON.stringify(`${method} ${route} answers ${typeof status === 'string' && status.startsWith('=') ? 'as expected' : [status].flat().join(' or ')}`)}, () => {`,
    `  pw.expect([expected].flat().includes(pw.response.status)).toBe(true);`,
    `});`,
    ...Object.entries(checks).map(
      ([label, expr]) => `pw.test(${JSON.stringify(label)}, () => {\n  pw.expect(Boolean(${expr})).toBe(true);\n});`,
    ),
    ...Object.entries(set).map(
      ([k, expr]) => `if ([expected].flat().includes(pw.response.status)) pw.env.set(${JSON.stringify(k)}, String(${expr}));`,
    ),
  ].join('\n');
  // `"<<#msg_id>>"` in a body becomes a bare number.
  const text = body === undefined ? null : JSON.stringify(body, null, 2).replace(/"<<#(\w+)>>"/g, '<<$1>>');
  return {
    v: '3',
    name: `${method} ${route}${query} - ${o.title ?? name}`,
    method,
    endpoint,
    params: [],
    headers: [],
    preRequestScript: pre.trim(),
    testScript: test,
    auth: auth ? { authType: 'bearer', authActive: true, token: `<<${auth}>>` } : { authType: 'none', authActive: true },
    body: text === null ? { contentType: null, body: null } : { contentType: 'application/json', body: text },
    requestVariables: [],
  };
}

const folder = (name, requests) => ({ v: 2, name, folders: [], requests, auth: { authType: 'inherit', authActive: true }, headers: [] });
const ERR = `typeof b.error === 'string' && typeof b.code === 'string'`;

const gateway = folder('1 gateway', [
  req('liveness', 'GET', '/health', {
    auth: null,
    pre: SETUP,
    checks: {
      'the gateway is up': `b.status === 'ok'`,
      'every answer carries X-Request-Id': `pw.response.headers.some((h) => h.key.toLowerCase() === 'x-request-id' && h.value.length > 0)`,
    },
  }),
  req('readiness', 'GET', '/ready', { auth: null, checks: { 'every service is ready': `b.status === 'ready'` } }),
  req("the gateway's OpenAPI document", 'GET', '/openapi.json', {
    auth: null,
    checks: { 'an OpenAPI 3 document': `/^3\\./.test(b.openapi) && typeof b.paths === 'object'` },
  }),
  req('Swagger UI', 'GET', '/docs', { auth: null, checks: { 'an HTML page': `typeof b === 'string' ? /swagger/i.test(b) : true` } }),
  req("a service's OpenAPI document through the gateway", 'GET', '/docs/user-service/openapi.json', {
    auth: null,
    checks: { 'public routes only': `'/register' in b.paths && !Object.keys(b.paths).some((p) => p.startsWith('/internal'))` },
  }),
  req('an unknown route', 'GET', '/no-such-route', {
    auth: null,
    status: 404,
    checks: { 'a JSON routing 404': `${ERR} && b.code === 'route_not_found'` },
  }),
  req('internal routes are never routed', 'GET', '/internal/users/roger', {
    auth: null,
    status: 404,
    checks: { 'the gateway refuses /internal': `b.code === 'route_not_found'` },
  }),
]);

const user = (who) => ({ pseudo: `<<pseudo_${who}>>`, password: `<<password_${who}>>`, email: `<<pseudo_${who}>>@hopp.canaduck.example` });
const accounts = folder('2 accounts (user-service)', [
  ...['a', 'b', 'c'].map((who) =>
    req(`register user ${who.toUpperCase()}`, 'POST', '/register', {
      auth: null,
      body: user(who),
      status: 201,
      checks: {
        'returns the user with the user role and never a password': `b.pseudo === env('pseudo_${who}') && b.roles.includes('user') && b.password === undefined && b.password_hash === undefined`,
        'dates are ISO 8601 UTC': `/^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$/.test(b.created_at)`,
      },
    }),
  ),
  req('a taken pseudo, in another case', 'POST', '/register', {
    auth: null,
    body: { ...user('a'), pseudo: 'HOPPA<<run>>', email: 'other-<<run>>@hopp.canaduck.example' },
    status: 409,
    checks: { 'a JSON error with a code': ERR },
  }),
  req('an invalid pseudo', 'POST', '/register', {
    auth: null,
    body: { ...user('a'), pseudo: '1<<run>>', email: 'invalid-<<run>>@hopp.canaduck.example' },
    status: 422,
    checks: { 'names the pseudo field': `${ERR} && JSON.stringify(b).includes('pseudo')` },
  }),
  req('a wrong password', 'POST', '/login', {
    auth: null,
    body: { pseudo: '<<pseudo_a>>', password: 'not-the-password-<<run>>' },
    status: 401,
    checks: { 'a JSON error': ERR },
  }),
  ...['a', 'b', 'c'].map((who) =>
    req(`log in user ${who.toUpperCase()}`, 'POST', '/login', {
      auth: null,
      body: { pseudo: `<<pseudo_${who}>>`, password: `<<password_${who}>>` },
      checks: {
        'returns a JWT': `typeof b.token === 'string' && b.token.split('.').length === 3`,
        'and the user': `b.user.pseudo === env('pseudo_${who}') && b.user.status === 'online'`,
      },
      set: { [who === 'a' ? 'token' : `token_${who}`]: 'b.token' },
    }),
  ),
  req('log in the administrator (when ADMIN_PSEUDO/ADMIN_PASSWORD are in the environment)', 'POST', '/login', {
    auth: null,
    body: { pseudo: '<<admin_pseudo>>', password: '<<admin_password>>' },
    // Without credentials the empty fields are refused: 400 (missing) or 422/401 (invalid).
    status: `=${IS_ADMIN.replace('admin_token', 'admin_pseudo')} ? [200] : [400, 401, 422]`,
    checks: {
      'an admin token when credentials are given': `!env('admin_pseudo') || (typeof b.token === 'string' && b.user.roles.includes('admin'))`,
    },
    set: { admin_token: `env('admin_pseudo') ? b.token : ''` },
  }),
  req('whois', 'GET', '/whois/{pseudo_a}', {
    auth: null,
    checks: {
      'public information only': `b.pseudo === env('pseudo_a') && Array.isArray(b.roles) && 'last_seen' in b && b.email === undefined`,
      'an avatar URL': `typeof b.avatar_url === 'string'`,
    },
  }),
  req('an unknown user', 'GET', '/whois/nobody<<run>>', {
    auth: null,
    status: 404,
    title: 'whois of an unknown user',
    checks: { 'user not found': ERR },
  }),
  req('last activity', 'GET', '/seen/{pseudo_a}', {
    auth: null,
    checks: { 'the pseudo and last_seen': `b.pseudo === env('pseudo_a') && 'last_seen' in b` },
  }),
  req('who is online', 'GET', '/ison', {
    auth: null,
    query: '?users=<<pseudo_a>>,<<pseudo_b>>,nobody<<run>>',
    checks: {
      'the logged-in users, not the unknown one': `Array.isArray(b.online) && b.online.includes(env('pseudo_a')) && !b.online.includes('nobody' + env('run'))`,
    },
  }),
  req('set my status', 'POST', '/user/status', { body: { status: 'away' }, checks: { 'the new status': `b.status === 'away'` } }),
  req('set my avatar', 'POST', '/user/avatar', {
    body: { avatar_url: 'https://example.org/<<pseudo_a>>.png' },
    checks: { 'the new avatar': `b.avatar_url === 'https://example.org/' + env('pseudo_a') + '.png'` },
  }),
  req('an avatar', 'GET', '/user/avatar/{pseudo_a}', {
    auth: null,
    checks: { 'the avatar URL': `b.avatar_url === 'https://example.org/' + env('pseudo_a') + '.png'` },
  }),
  req('an identicon when no avatar is set', 'GET', '/user/avatar/{pseudo_b}', {
    auth: null,
    title: 'a generated identicon',
    checks: { 'a data: URI': `/^data:image\\/svg\\+xml;base64,/.test(b.avatar_url)` },
  }),
  req('roles', 'GET', '/user/roles/{pseudo_b}', {
    auth: null,
    checks: { 'the user role': `Array.isArray(b.roles) && b.roles.includes('user')` },
  }),
  req('grant a role (admin only)', 'POST', '/user/roles/{pseudo_b}', {
    auth: 'role_token',
    pre: ROLE_TOKEN,
    body: { role: 'admin' },
    status: `=${IS_ADMIN} ? [201] : [403]`,
    checks: { 'admin granted by an admin, refused to a user': `${IS_ADMIN} ? b.roles.includes('admin') : ${ERR}` },
  }),
  req('make admin (admin only)', 'POST', '/make-admin/{pseudo_b}', {
    auth: 'role_token',
    pre: ROLE_TOKEN,
    status: `=${IS_ADMIN} ? [200] : [403]`,
    checks: { 'already admin for an admin caller, refused to a user': `${IS_ADMIN} ? b.roles.includes('admin') : ${ERR}` },
  }),
  req('remove a role (admin only)', 'DELETE', '/user/roles/{pseudo_b}/admin', {
    auth: 'role_token',
    pre: ROLE_TOKEN,
    status: `=${IS_ADMIN} ? [200] : [403]`,
    checks: { 'admin removed by an admin, refused to a user': `${IS_ADMIN} ? !b.roles.includes('admin') : ${ERR}` },
  }),
  // A role change revokes B's tokens (structures.md section 1) when an admin made it: B logs in again.
  req('log in user B again after the role changes', 'POST', '/login', {
    auth: null,
    title: 'log in user B again (a role change revokes its tokens)',
    body: { pseudo: '<<pseudo_b>>', password: '<<password_b>>' },
    checks: {
      'a JWT with the roles after the changes': `typeof b.token === 'string' && b.user.pseudo === env('pseudo_b') && !b.user.roles.includes('admin')`,
    },
    set: { token_b: 'b.token' },
  }),
  req('change my password', 'PATCH', '/user/{pseudo_a}/password', {
    // The token used here is revoked by the change: kept to check that it is refused afterwards.
    pre: `pw.env.set('stale_token', pw.env.get('token'));`,
    body: { old_password: '<<password_a>>', new_password: '<<new_password_a>>' },
    checks: { 'a result': `typeof b.result === 'string'` },
    set: { password_a: `env('new_password_a')` },
  }),
  req('log in with the new password', 'POST', '/login', {
    auth: null,
    body: { pseudo: '<<pseudo_a>>', password: '<<password_a>>' },
    checks: { 'returns a JWT': `typeof b.token === 'string'` },
    set: { token: 'b.token' },
  }),
  req('a token issued before the password change', 'POST', '/user/status', {
    auth: 'stale_token',
    title: 'a token issued before a password change',
    body: { status: 'online' },
    status: 401,
    checks: { revoked: `${ERR} && b.code === 'token_revoked'` },
  }),
  req("someone else's password", 'PATCH', '/user/{pseudo_b}/password', {
    title: "change someone else's password",
    body: { old_password: '<<password_b>>', new_password: '<<new_password_a>>' },
    status: 403,
    checks: { refused: ERR },
  }),
  req('public key (asymmetric mode only)', 'GET', '/.well-known/jwks.json', {
    auth: null,
    status: [200, 404],
    checks: { 'a JWKS, or a JSON 404 in HS256 mode': `pw.response.status === 200 ? Array.isArray(b.keys) : ${ERR}` },
  }),
]);

const channels = folder('3 channels (channel-service)', [
  req('create a channel', 'POST', '/channel', {
    body: { name: '#<<channel>>', topic: 'hoppscotch run <<run>>' },
    status: 201,
    checks: {
      'the caller owns it; leading # stripped': `b.name === env('channel') && b.owner === env('pseudo_a')`,
      'new channels are +n +t': `b.modes.includes('n') && b.modes.includes('t') && b.private === false`,
    },
  }),
  req('a taken channel name', 'POST', '/channel', { body: { name: '<<channel>>' }, status: 409, checks: { 'a JSON error': ERR } }),
  req('create without a token', 'POST', '/channel', {
    auth: null,
    body: { name: 'x<<channel>>' },
    status: 401,
    checks: { 'a JSON error': ERR },
  }),
  req('list public channels', 'GET', '/channel', {
    auth: null,
    query: '?q=<<channel>>',
    checks: {
      'the new channel is listed': `Array.isArray(b.channels) && b.channels.some((c) => c.name === env('channel'))`,
      'paging fields': `'next_offset' in b`,
    },
  }),
  req('a channel', 'GET', '/channel/{channel}', {
    auth: null,
    checks: { 'its config': `b.name === env('channel') && b.owner === env('pseudo_a')` },
  }),
  req('its full config', 'GET', '/channel/{channel}/config', {
    auth: null,
    checks: {
      'the contract fields': `['name', 'private', 'topic', 'owner', 'moderators', 'invited', 'banned', 'modes', 'created_at'].every((k) => k in b)`,
    },
  }),
  req('an unknown channel', 'GET', '/channel/nochan-<<run>>/config', {
    auth: null,
    status: 404,
    title: 'config of an unknown channel',
    checks: { 'not found': ERR },
  }),
  req('change topic and mode', 'PATCH', '/channel/{channel}', {
    body: { topic: 'patched <<run>>', mode: '+r' },
    checks: { 'both changed': `b.topic === 'patched ' + env('run') && b.modes.includes('r')` },
  }),
  req('change the topic', 'POST', '/channel/{channel}/topic', {
    body: { topic: 'topic <<run>>' },
    checks: { 'the new topic': `b.topic === 'topic ' + env('run')` },
  }),
  req('change modes', 'POST', '/channel/{channel}/mode', {
    body: { mode: '-r' },
    checks: { 'read-only is off': `!b.modes.includes('r')` },
  }),
  req('an unknown mode letter', 'POST', '/channel/{channel}/mode', {
    body: { mode: '+z' },
    status: 422,
    title: 'set an unknown mode',
    checks: { refused: ERR },
  }),
  req('topic by an outsider under +t', 'POST', '/channel/{channel}/topic', {
    auth: 'token_b',
    body: { topic: 'not yours' },
    status: 403,
    title: 'change the topic as a non-member',
    checks: { refused: ERR },
  }),
  req('join', 'POST', '/channel/{channel}/join', {
    auth: 'token_b',
    checks: { 'a result': `typeof b.result === 'string' || b.name === env('channel')` },
  }),
  req('members', 'GET', '/channel/{channel}/users', {
    auth: null,
    checks: { 'owner and new member': `JSON.stringify(b).includes(env('pseudo_a')) && JSON.stringify(b).includes(env('pseudo_b'))` },
  }),
  req('make a moderator', 'POST', '/channel/{channel}/moderators', {
    body: { pseudo: '<<pseudo_b>>' },
    checks: { 'B moderates': `JSON.stringify(b).includes(env('pseudo_b'))` },
  }),
  req('take the moderator role back', 'DELETE', '/channel/{channel}/moderators/{pseudo_b}', {
    checks: { 'an answer': `typeof b === 'object'` },
  }),
  req('invite', 'POST', '/channel/{channel}/invite', {
    body: { pseudo: '<<pseudo_c>>' },
    checks: { 'C is invited': `JSON.stringify(b).includes(env('pseudo_c'))` },
  }),
  req('invite an unknown user', 'POST', '/channel/{channel}/invite', {
    body: { pseudo: 'nobody<<run>>' },
    status: 404,
    title: 'invite an unknown user',
    checks: { 'user not found': ERR },
  }),
  req('kick', 'POST', '/channel/{channel}/kick', {
    body: { pseudo: '<<pseudo_b>>', reason: 'testing kick' },
    checks: { 'an answer': `typeof b === 'object'` },
  }),
  req('ban', 'POST', '/channel/{channel}/ban', {
    body: { pseudo: '<<pseudo_c>>', reason: 'spam' },
    checks: { 'C is banned': `JSON.stringify(b).includes(env('pseudo_c'))` },
  }),
  req('a banned user joins', 'POST', '/channel/{channel}/join', {
    auth: 'token_c',
    status: 403,
    title: 'join while banned',
    checks: { refused: ERR },
  }),
  req('lift the ban', 'DELETE', '/channel/{channel}/ban/{pseudo_c}', { checks: { 'an answer': `typeof b === 'object'` } }),
  req('join again after a kick', 'POST', '/channel/{channel}/join', {
    auth: 'token_b',
    title: 'join again after the kick',
    checks: { 'an answer': `typeof b === 'object'` },
  }),
  req('C joins then parts', 'POST', '/channel/{channel}/join', {
    auth: 'token_c',
    title: 'join (C)',
    checks: { 'an answer': `typeof b === 'object'` },
  }),
  req('part', 'POST', '/channel/{channel}/part', { auth: 'token_c', checks: { 'an answer': `typeof b === 'object'` } }),
]);

const messages = folder('4 messages (message-service)', [
  req('post to a channel', 'POST', '/msg', {
    body: { channel: '<<channel>>', text: 'hello <<word>> 🦆' },
    status: 201,
    checks: {
      'the message, sent by the token holder': `b.channel === env('channel') && b.to === null && b.from === env('pseudo_a') && Number.isInteger(b.id)`,
      'the contract fields': `['id', 'channel', 'to', 'from', 'text', 'timestamp', 'reply_to', 'reactions', 'pinned', 'edited_at'].every((k) => k in b)`,
    },
    set: { msg_id: 'b.id' },
  }),
  req('post without a token', 'POST', '/msg', {
    auth: null,
    body: { channel: '<<channel>>', text: 'anonymous' },
    status: 401,
    checks: { 'a JSON error': ERR },
  }),
  req('post without a channel or recipient', 'POST', '/msg', {
    body: { text: 'nowhere' },
    status: [400, 422],
    checks: { 'a JSON error': ERR },
  }),
  req('reply in a thread', 'POST', '/msg', {
    auth: 'token_b',
    title: 'reply to a message',
    body: { channel: '<<channel>>', text: 'reply <<word>>', reply_to: '<<#msg_id>>' },
    status: 201,
    checks: { 'a reply': `b.reply_to === Number(env('msg_id')) && b.from === env('pseudo_b')` },
    set: { reply_id: 'b.id' },
  }),
  req('send a private message', 'POST', '/msg', {
    title: 'a private message',
    body: { to: '<<pseudo_b>>', text: 'psst <<word>>' },
    status: 201,
    checks: { 'private: to set, channel null': `b.to === env('pseudo_b') && b.channel === null` },
    set: { private_id: 'b.id' },
  }),
  req("a channel's messages", 'GET', '/msg', {
    query: '?channel=<<channel>>',
    checks: {
      'the posts, newest first': `Array.isArray(b.messages) && b.messages[0].id === Number(env('reply_id')) && b.messages.some((m) => m.id === Number(env('msg_id')))`,
      'paging fields': `'next_offset' in b`,
    },
  }),
  req('a thread', 'GET', '/msg/thread/{msg_id}', { checks: { 'root and reply': `JSON.stringify(b).includes('reply ' + env('word'))` } }),
  req('a private conversation', 'GET', '/msg/private', {
    query: '?from=<<pseudo_a>>&to=<<pseudo_b>>',
    checks: { 'the private message': `Array.isArray(b.messages) && b.messages.some((m) => m.id === Number(env('private_id')))` },
  }),
  req("someone else's conversation", 'GET', '/msg/private', {
    auth: 'token_c',
    query: '?from=<<pseudo_a>>&to=<<pseudo_b>>',
    title: "read someone else's conversation",
    status: 403,
    checks: { refused: ERR },
  }),
  req('search', 'GET', '/msg/search', {
    query: '?q=<<word>>',
    checks: { "finds the run's messages": `Array.isArray(b.messages) && b.messages.some((m) => m.id === Number(env('msg_id')))` },
  }),
  req('edit my message', 'PUT', '/msg/{msg_id}', {
    body: { text: 'edited <<word>>' },
    checks: { 'new text and edited_at': `b.text === 'edited ' + env('word') && typeof b.edited_at === 'string'` },
  }),
  req("edit someone else's message", 'PUT', '/msg/{msg_id}', {
    auth: 'token_b',
    body: { text: 'hijack' },
    status: 403,
    checks: { refused: ERR },
  }),
  req('react', 'POST', '/msg/reaction', {
    body: { message_id: '<<#msg_id>>', emoji: '👍' },
    status: 201,
    checks: { 'the reaction': `JSON.stringify(b).includes(env('pseudo_a'))` },
  }),
  req('the same reaction again', 'POST', '/msg/reaction', {
    body: { message_id: '<<#msg_id>>', emoji: '👍' },
    title: 'react again (idempotent)',
    status: 200,
    checks: { 'no duplicate': `JSON.stringify(b).split(env('pseudo_a')).length - 1 <= 2` },
  }),
  req('B reacts', 'POST', '/msg/reaction', {
    auth: 'token_b',
    body: { message_id: '<<#msg_id>>', emoji: '🦆' },
    status: 201,
    title: 'react (B)',
  }),
  req('not exactly one emoji', 'POST', '/msg/reaction', {
    body: { message_id: '<<#msg_id>>', emoji: 'ok' },
    status: 422,
    title: 'react with a word',
    checks: { refused: ERR },
  }),
  req('remove my reaction', 'DELETE', '/msg/reaction', {
    query: '?message_id=<<msg_id>>&emoji=%F0%9F%91%8D',
    checks: { 'an answer': `typeof b === 'object'` },
  }),
  req('pin', 'POST', '/msg/{msg_id}/pin', { checks: { pinned: `b.pinned === true || JSON.stringify(b).includes('pin')` } }),
  req('pinned messages', 'GET', '/msg/pinned', {
    query: '?channel=<<channel>>',
    checks: { 'the pinned message': `Array.isArray(b.messages) && b.messages.some((m) => m.id === Number(env('msg_id')))` },
  }),
  req('unpin', 'DELETE', '/msg/{msg_id}/pin', { checks: { unpinned: `b.pinned === false || typeof b.result === 'string'` } }),
  req('delete a reply as the channel owner', 'DELETE', '/msg/{reply_id}', { checks: { 'a result': `typeof b === 'object'` } }),
  req('a deleted message', 'GET', '/msg/thread/{reply_id}', {
    title: 'the thread of a deleted message',
    status: 404,
    checks: { gone: ERR },
  }),
]);

// The streams themselves (SSE, WebSocket) cannot be held open by the CLI: GET /events is checked on
// the answers that end at once (refusals), and delivery through /events/poll with wait=0, which
// answers at once with what is waiting; the e2e (60-realtime.mjs) streams for real.
const realtime = folder('4b real-time (realtime-service)', [
  req('a ticket for EventSource or WebSocket', 'POST', '/events/ticket', {
    status: 201,
    checks: {
      'a single-use ticket and its expiry': `typeof b.ticket === 'string' && b.ticket.length > 0 && !isNaN(Date.parse(b.expires_at))`,
    },
    set: { ticket: 'b.ticket' },
  }),
  req('events waiting, with the ticket', 'GET', '/events/poll', {
    auth: null,
    query: '?ticket=<<ticket>>&wait=0',
    checks: { 'events and the next cursor': `Array.isArray(b.events) && typeof b.cursor === 'string'` },
  }),
  req('the same ticket twice', 'GET', '/events/poll', {
    auth: null,
    query: '?ticket=<<ticket>>&wait=0',
    title: 'a used ticket',
    status: 401,
    checks: { 'single use': `${ERR} && b.code === 'ticket_used'` },
  }),
  req('events waiting, with the token', 'GET', '/events/poll', {
    query: '?wait=0',
    title: 'events waiting (Bearer)',
    checks: { 'events and the next cursor': `Array.isArray(b.events) && typeof b.cursor === 'string'` },
  }),
  req('the event stream without a token', 'GET', '/events', {
    auth: null,
    status: 401,
    checks: { 'refused at the gateway': `${ERR} && b.code === 'token_missing'` },
  }),
  req('a token in the URL', 'GET', '/events', {
    query: '?access_token=<<token>>',
    title: 'the event stream with a JWT in the URL',
    status: 400,
    checks: { 'a JWT never goes in a URL': `${ERR} && b.code === 'token_in_url'` },
  }),
  req('the WebSocket without the upgrade headers', 'GET', '/ws', {
    title: 'the WebSocket as a plain GET (no Upgrade header)',
    status: 400,
    checks: { 'an upgrade is needed': `${ERR} && b.code === 'invalid_input' && /upgrade/i.test(b.error)` },
  }),
  req('the WebSocket without a token', 'GET', '/ws', {
    auth: null,
    status: 401,
    checks: { 'refused at the gateway': `${ERR} && b.code === 'token_missing'` },
  }),
]);

const aggregates = folder('5 fullinfo and stats', [
  req('user, channel and last messages in one answer', 'GET', '/fullinfo', {
    query: '?user=<<pseudo_a>>&channel=<<channel>>',
    checks: {
      'the three parts': `b.user.pseudo === env('pseudo_a') && b.channel.name === env('channel') && Array.isArray(b.last_messages)`,
      "the last messages hold the run's post": `b.last_messages.some((m) => m.id === Number(env('msg_id')))`,
    },
  }),
  req('fullinfo without a token', 'GET', '/fullinfo', {
    auth: null,
    query: '?user=<<pseudo_a>>&channel=<<channel>>',
    status: 401,
    checks: { 'a JSON error': ERR },
  }),
  req('most active channels', 'GET', '/stats/active-channels', {
    auth: null,
    checks: { 'ranked channels': `Array.isArray(b.channels) && 'as_of' in b` },
  }),
  req('messages per hour', 'GET', '/stats/hourly-activity', {
    auth: null,
    query: '?hours=24',
    checks: {
      '24 hourly buckets': `Array.isArray(b.hours) && b.hours.length === 24 && b.hours.every((h) => Number.isInteger(h.messages))`,
    },
  }),
  req('messages per user', 'GET', '/stats/messages-per-user', {
    auth: null,
    checks: { 'ranked users': `Array.isArray(b.users) && 'as_of' in b` },
  }),
  req('most reacted messages', 'GET', '/stats/top-reacted-messages', {
    auth: null,
    checks: { 'ranked messages': `Array.isArray(b.messages) && 'as_of' in b` },
  }),
  req('private stats as a user', 'GET', '/stats/active-channels', {
    query: '?include_private=true',
    title: 'private stats need an admin',
    status: 403,
    checks: { refused: ERR },
  }),
]);

const cleanup = folder('6 logout and clean-up', [
  req('log out', 'POST', '/logout', {
    auth: 'token_b',
    pre: `pw.env.set('stale_token_b', pw.env.get('token_b'));`,
    checks: { 'a result': `typeof b.result === 'string' || typeof b === 'object'` },
  }),
  req('a token issued before the logout', 'POST', '/user/status', {
    auth: 'stale_token_b',
    title: 'a token issued before a logout',
    body: { status: 'online' },
    status: 401,
    checks: { revoked: `${ERR} && b.code === 'token_revoked'` },
  }),
  req('log in user B after the logout', 'POST', '/login', {
    auth: null,
    title: 'log in user B again after the logout',
    body: { pseudo: '<<pseudo_b>>', password: '<<password_b>>' },
    checks: { 'returns a JWT': `typeof b.token === 'string'` },
    set: { token_b: 'b.token' },
  }),
  req('delete the channel (owner)', 'DELETE', '/channel/{channel}', { checks: { 'an answer': `typeof b === 'object'` } }),
  req('a deleted channel', 'GET', '/channel/{channel}', { auth: null, title: 'the deleted channel', status: 404, checks: { gone: ERR } }),
  req("delete someone else's account", 'DELETE', '/user/{pseudo_c}', {
    status: 403,
    title: "delete someone else's account",
    checks: { refused: ERR },
  }),
  ...['c', 'b', 'a'].map((who) =>
    req(`delete account ${who.toUpperCase()}`, 'DELETE', `/user/{pseudo_${who}}`, {
      auth: who === 'a' ? 'token' : `token_${who}`,
      checks: { 'an answer': `typeof b === 'object'` },
    }),
  ),
  req('log in to a deleted account', 'POST', '/login', {
    auth: null,
    body: { pseudo: '<<pseudo_a>>', password: '<<password_a>>' },
    status: 401,
    checks: { refused: ERR },
  }),
]);

export function buildCollection() {
  return {
    v: 2,
    name: 'CanaDuck IRC',
    folders: [gateway, accounts, channels, messages, realtime, aggregates, cleanup],
    requests: [],
    auth: { authType: 'none', authActive: true },
    headers: [],
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  fs.writeFileSync(COLLECTION_FILE, `${JSON.stringify(buildCollection(), null, 2)}\n`);
  const count = buildCollection().folders.reduce((n, f) => n + f.requests.length, 0);
  console.log(`wrote ${path.relative(process.cwd(), COLLECTION_FILE)}: ${count} requests`);
}
