#!/usr/bin/env node
// Attack suite (`npm run test:security`): forged tokens, broken object-level
// authorization, enumeration, brute force, oversized/malformed/wrongly typed input,
// injection strings in every slot of every route, and property-based fuzzing from
// the OpenAPI documents. Never a 5xx, always JSON, nothing leaked.
// Options: --sqlite, --rs256 (asymmetric tokens), --no-build, --verbose, --keep, --seed=N, --only=tokens,scope,bola,enum,secret,brute,input,race,inject,fuzz
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { Attacks } from './lib/attacks.mjs';
import { invite, join, login, newChannel, newUser, post, uniq } from './lib/fixtures.mjs';
import { call, client, describe } from './lib/http.mjs';
import { forgedTokens, malformedAuthorization, wellFormedToken } from './lib/jwt-forge.mjs';
import { runInjections, runFuzz, loadOperations } from './lib/input-attacks.mjs';
import { runInputAbuse } from './lib/input-abuse.mjs';
import { runRaces } from './lib/races.mjs';
import { startSuiteStack } from './lib/run.mjs';
import { Tally } from './lib/tally.mjs';

const BASE_PORT = 6200;
const tally = new Tally();
const attacks = new Attacks();

const run = await startSuiteStack({
  name: 'security',
  basePort: BASE_PORT,
  budgetMs: 290_000,
  extraEnv: { LOG_LEVEL: 'warn', BCRYPT_COST: '6' },
});
const { stack, args } = run;
const gw = client(stack.url('gateway'));
const svc = Object.fromEntries(['user', 'message', 'channel', 'gateway', 'stats'].map((s) => [s, client(stack.url(s))]));
const wanted = (name) => !args.only || args.only.includes(name);
const seed = args.seed ?? Date.now() % 1_000_000;

/** A service token as `caller` signs it for `callee`, with the key the stack derives from `secret`. */
async function realServiceToken(caller, callee, secret) {
  const auth = createRequire(import.meta.url)('../libraries/auth/dist/index.js');
  return auth.signServiceToken(auth.serviceKeysFrom({ service: caller, secret }), callee);
}

/** Sends one bad request and records it; returns the response. */
async function hit(label, req, opts = {}) {
  const base = req.base ?? gw.base;
  const res = await call(base, req.method, req.path, { ...req, timeoutMs: req.timeoutMs ?? 5000 });
  attacks.record(label, { ...req, base }, res, opts);
  return res;
}

/** A scenario-level check that summarizes the attack problems recorded since `mark`. */
function group(label, mark) {
  const problems = attacks.problems.slice(mark.problems);
  const tried = attacks.tried - mark.tried;
  tally.check(
    `${label} (${tried} requests${problems.length ? `, ${problems.length} problems` : ''})`,
    problems.length === 0 && tried > 0,
    problems
      .slice(0, 6)
      .map((p) => `${p.label}: ${p.why}\n  request:  ${p.request}\n  response: ${p.response}`)
      .join('\n') + (problems.length > 6 ? `\n... and ${problems.length - 6} more` : ''),
  );
}
const mark = () => ({ tried: attacks.tried, problems: attacks.problems.length });

let exitCode = 1;
try {
  // ---- setup ----------------------------------------------------------------------
  tally.scenario('setup');
  const adminToken = await login(gw, run.admin.pseudo, run.admin.password);
  const admin = { pseudo: run.admin.pseudo, token: adminToken };
  const alice = await newUser(gw, 'alice');
  const bob = await newUser(gw, 'bob');
  const carol = await newUser(gw, 'carol');
  const mallory = await newUser(gw, 'mal');
  const secret = uniq('zq');
  const publicWord = uniq('pw');
  const pub = await newChannel(gw, alice, { prefix: 'pub' });
  const priv = await newChannel(gw, alice, { prefix: 'priv', private: true });
  const sec = await newChannel(gw, alice, { prefix: 'sec', modes: '+s' });
  await join(gw, bob, pub);
  await join(gw, carol, pub);
  await invite(gw, alice, priv, carol.pseudo);
  await join(gw, carol, priv);
  const msgPub = await post(gw, alice, { channel: pub, text: `hello ${publicWord}` });
  const msgPriv = await post(gw, alice, { channel: priv, text: `private ${secret} ${publicWord}` });
  const msgSec = await post(gw, alice, { channel: sec, text: `secret room ${secret} ${publicWord}` });
  const pm = await post(gw, alice, { to: carol.pseudo, text: `just between us ${secret} ${publicWord}` });
  const reactPriv = await gw.post('/msg/reaction', { message_id: msgPriv.id, emoji: '👍' }, { token: carol.token });
  const pin = await gw.post(`/msg/${msgPub.id}/pin`, {}, { token: alice.token });
  tally.check(
    `users ${alice.pseudo}, ${bob.pseudo}, ${carol.pseudo}, ${mallory.pseudo}; channels ${pub} (public), ${priv} (private), ${sec} (secret); messages, a private conversation, a reaction and a pin`,
    reactPriv.status < 300 && pin.status < 300,
    `reaction: ${describe(reactPriv)}\npin: ${describe(pin)}`,
  );

  // ---- tokens -----------------------------------------------------------------------
  if (wanted('tokens')) {
    tally.scenario('forged, expired and malformed tokens: always 401');
    // What an attacker can learn: the published key set (RS256 mode), never a private part of it.
    const jwks = await gw.get('/.well-known/jwks.json');
    const privateParts = (jwks.json?.keys ?? []).filter((k) => ['d', 'p', 'q', 'dp', 'dq', 'qi'].some((f) => f in k));
    tally.check(
      run.rsa ? `the JWKS publishes ${jwks.json?.keys?.length ?? 0} public key(s) and no private part` : 'HS256 mode: no JWKS (404)',
      run.rsa ? jwks.status === 200 && jwks.json?.keys?.length > 0 && privateParts.length === 0 : jwks.status === 404,
      describe(jwks),
    );
    const forged = forgedTokens({
      pseudo: bob.pseudo,
      secret: run.secrets.JWT_SECRET,
      serviceSecret: run.secrets.SERVICE_TOKEN_SECRET,
      serviceToken: await realServiceToken('message-service', 'user-service', run.secrets.SERVICE_TOKEN_SECRET),
      valid: bob.token,
      rsa: run.rsa,
      jwks: jwks.json,
    });
    const routes = [
      { service: 'message', method: 'POST', path: '/msg', body: { channel: pub, text: 'forged' } },
      { service: 'message', method: 'GET', path: `/msg?channel=${pub}` },
      { service: 'message', method: 'PUT', path: `/msg/${msgPub.id}`, body: { text: 'forged edit' } },
      { service: 'channel', method: 'POST', path: '/channel', body: { name: uniq('forged') } },
      { service: 'channel', method: 'DELETE', path: `/channel/${pub}` },
      { service: 'user', method: 'POST', path: '/user/status', body: { status: 'away' } },
      { service: 'user', method: 'POST', path: `/make-admin/${bob.pseudo}` },
      { service: 'user', method: 'DELETE', path: `/user/${alice.pseudo}` },
      { service: 'stats', method: 'GET', path: '/stats/active-channels?include_private=true' },
      { service: 'gateway', method: 'GET', path: `/fullinfo?user=${alice.pseudo}&channel=${priv}` },
    ];
    const m = mark();
    const is401 = (res) => (res.status === 401 && typeof res.json?.error === 'string') || `expected 401 with a JSON error`;
    for (const route of routes) {
      const bases =
        route.service === 'gateway'
          ? [['gateway', gw.base]]
          : [
              ['gateway', gw.base],
              [`${route.service}-service directly`, svc[route.service].base],
            ];
      for (const [where, base] of bases) {
        for (const [kind, token] of Object.entries(forged)) {
          await hit(
            `token "${kind}" on ${route.method} ${route.path.split('?')[0]} via ${where}`,
            { ...route, base, token, as: kind },
            { expect: is401 },
          );
        }
        for (const [kind, authorization] of Object.entries(malformedAuthorization)) {
          await hit(
            `Authorization "${kind}" on ${route.method} ${route.path.split('?')[0]} via ${where}`,
            { ...route, base, authorization, as: kind },
            { expect: is401 },
          );
        }
      }
    }
    group(
      `all ${Object.keys(forged).length} forged token kinds and ${Object.keys(malformedAuthorization).length} malformed headers refused with 401 on ${routes.length} protected routes, through the gateway and directly`,
      m,
    );
    const control = wellFormedToken({ pseudo: bob.pseudo, secret: run.secrets.JWT_SECRET, rsa: run.rsa });
    const controlRes = await gw.get(`/msg?channel=${pub}&limit=1`, { token: control });
    tally.check(
      'control: a token built the same way with nothing wrong is accepted (200)',
      controlRes.status === 200,
      describe(controlRes),
    );
    const whoisBob = await gw.get(`/user/roles/${bob.pseudo}`);
    tally.check('no forged admin token made anyone admin', !(whoisBob.json?.roles ?? []).includes('admin'), describe(whoisBob));
    const stillThere = await gw.get(`/channel/${pub}/config`, { token: alice.token });
    tally.check('no forged token deleted a channel', stillThere.status === 200, describe(stillThere));

    const mi = mark();
    const internal = [
      ['user', 'GET', `/internal/users/${alice.pseudo}`],
      ['user', 'POST', '/internal/activity'],
      ['channel', 'GET', `/internal/channels/${priv}/access/${bob.pseudo}?admin=true`],
      ['channel', 'GET', `/internal/users/${alice.pseudo}/channels`],
      ['channel', 'GET', `/internal/channels?names=${priv},${sec}`],
      ['message', 'GET', '/internal/events?after=0'],
    ];
    const wrongKey = randomBytes(32).toString('hex');
    for (const [service, method, path] of internal) {
      // A service token in the stack's format, signed with a key the stack does not know.
      const wrongServiceSecret = await realServiceToken('gateway-service', `${service}-service`, wrongKey);
      const body = method === 'POST' ? { pseudos: [alice.pseudo] } : undefined;
      await hit(
        `${method} ${path.split('?')[0]} through the gateway`,
        { method, path, body, token: bob.token, as: 'bob' },
        { expect: [404] },
      );
      await hit(`${method} ${path.split('?')[0]} directly, no token`, { base: svc[service].base, method, path, body }, { expect: [401] });
      await hit(
        `${method} ${path.split('?')[0]} directly, user token`,
        { base: svc[service].base, method, path, body, token: bob.token, as: 'bob' },
        { expect: [401] },
      );
      await hit(
        `${method} ${path.split('?')[0]} directly, admin user token`,
        { base: svc[service].base, method, path, body, token: admin.token, as: 'admin' },
        { expect: [401] },
      );
      await hit(
        `${method} ${path.split('?')[0]} directly, service token with a wrong secret`,
        { base: svc[service].base, method, path, body, token: wrongServiceSecret, as: 'forged service' },
        { expect: [401] },
      );
    }
    group('internal routes: 404 through the gateway, 401 without a real service token', mi);
  }

  // ---- service-token scope --------------------------------------------------------------
  if (wanted('scope')) {
    const { runServiceScope } = await import('./lib/service-scope.mjs');
    await runServiceScope({ tally, hit, mark, group, svc, secret: run.secrets.SERVICE_TOKEN_SECRET, alice, priv });
  }

  // ---- broken object-level authorization -----------------------------------------------
  if (wanted('bola')) {
    const { runBola } = await import('./lib/bola.mjs');
    await runBola({
      tally,
      hit,
      mark,
      group,
      gw,
      svc,
      admin,
      alice,
      bob,
      carol,
      mallory,
      pub,
      priv,
      sec,
      msgPub,
      msgPriv,
      msgSec,
      pm,
      secret,
      publicWord,
    });
  }

  // ---- enumeration and brute force ----------------------------------------------------------
  if (wanted('enum')) {
    const { runEnumeration } = await import('./lib/enumeration.mjs');
    await runEnumeration({ tally, hit, mark, group, svc, alice, bob });
  }
  if (wanted('secret')) {
    const { runSecrecyAndLimits } = await import('./lib/secrecy-limits.mjs');
    await runSecrecyAndLimits({ tally, hit, mark, group, gw, alice, bob, mallory, pub, sec, msgSec });
  }
  if (wanted('brute')) {
    tally.scenario('brute-force login: rate limited with 429 and Retry-After');
    let limited;
    let attempts = 0;
    const m = mark();
    for (; attempts < 200 && !limited; attempts++) {
      const res = await hit(
        'wrong password',
        { method: 'POST', path: '/login', body: { pseudo: bob.pseudo, password: `guess-${attempts}` } },
        { expect: [401, 429] },
      );
      if (res.status === 429) limited = res;
    }
    group('wrong passwords are refused (401) until the limit (429)', m);
    tally.check(`the limit answers 429 after ${attempts} attempts`, !!limited, 'no 429 after 200 wrong passwords');
    const retryAfter = Number(limited?.headers.get('retry-after'));
    tally.check(
      `with a Retry-After header (${limited?.headers.get('retry-after')} s)`,
      Number.isFinite(retryAfter) && retryAfter > 0,
      limited ? describe(limited) : '',
    );
    const right = await gw.post('/login', { pseudo: bob.pseudo, password: bob.password });
    tally.check('even the right password is refused while limited (no oracle)', right.status === 429, describe(right));
  }

  // ---- input abuse, injection, fuzzing ----------------------------------------------------------
  const ops = wanted('inject') || wanted('fuzz') ? await loadOperations({ gw, tally }) : [];
  const victim = await newUser(svc.user, 'victim').catch(() => undefined);
  const mChannel = await newChannel(gw, mallory, { prefix: 'fz' });
  const mMsg = await post(gw, mallory, { channel: mChannel, text: 'fuzz target' });
  const context = {
    gw,
    svc,
    hit,
    mark,
    group,
    tally,
    attacks,
    admin,
    alice,
    bob,
    mallory,
    victim: victim ?? alice,
    mChannel,
    mMsg,
    pub,
    seed,
  };
  if (wanted('input')) await runInputAbuse(context);
  if (wanted('race')) await runRaces(context);
  if (wanted('inject')) await runInjections({ ...context, ops });
  if (wanted('fuzz')) await runFuzz({ ...context, ops });

  // ---- the services survived all of it ------------------------------------------------------------
  tally.scenario('aftermath');
  const restarts = Object.fromEntries([...stack.restarts.entries()]);
  tally.check(
    'no service crashed or restarted during the attacks',
    Object.values(restarts).every((n) => n === 0),
    JSON.stringify(restarts),
  );
  const ready = await Promise.all(Object.values(svc).map((c) => c.get('/ready')));
  tally.check(
    'every service is still ready',
    ready.every((r) => r.status === 200),
    ready
      .filter((r) => r.status !== 200)
      .map(describe)
      .join('\n'),
  );
  const errorLines = run.lines.filter((l) => /"level":(50|60)/.test(l.line));
  tally.note(`${errorLines.length} error-level log lines in the services during the run`);
  exitCode = tally.failures.length === 0 && attacks.failed === 0 ? 0 : 1;
} catch (err) {
  tally.check('suite ran to the end', false, err.stack ?? String(err));
  exitCode = 1;
}

if (attacks.problems.length) {
  process.stdout.write(`\n${attacks.problems.length} problems, first ones:\n`);
  for (const p of attacks.problems.slice(0, 15)) process.stdout.write(`- ${p.label}: ${p.why}\n    ${p.request}\n    -> ${p.response}\n`);
}
process.stdout.write(
  `\naccepted as harmless: ${attacks.accepted}, wrong status: ${attacks.wrong}, not JSON: ${attacks.notJson}, hangs: ${attacks.hangs} (fuzz seed ${seed})\n`,
);
process.stdout.write(
  `bad inputs tried: ${attacks.tried}, refused cleanly: ${attacks.refused}, 5xx: ${attacks.fiveXX}, leaks: ${attacks.leaks}\n`,
);
await run.finish(exitCode);
