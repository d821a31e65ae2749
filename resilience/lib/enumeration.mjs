// User enumeration: login must not tell an unknown pseudo from a wrong password
// (same status, same body, similar time); register must not reveal more than
// the contract's 409 (never the other account's data).
import { randomBytes } from 'node:crypto';
import { call, describe } from './http.mjs';
import { uniq } from './fixtures.mjs';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function runEnumeration({ tally, hit, mark, group, svc, alice, bob }) {
  tally.scenario('user enumeration through login and register');
  const m = mark();
  const unknown = uniq('nobody');
  const wrongPw = await hit(
    'login, known pseudo, wrong password',
    { method: 'POST', path: '/login', body: { pseudo: alice.pseudo, password: 'wrong-password-1' } },
    { expect: [401] },
  );
  const noUser = await hit(
    'login, unknown pseudo',
    { method: 'POST', path: '/login', body: { pseudo: unknown, password: 'wrong-password-1' } },
    { expect: [401] },
  );
  await hit(
    'register a taken pseudo (other case)',
    {
      method: 'POST',
      path: '/register',
      body: { pseudo: alice.pseudo.toUpperCase(), password: 'a-fine-password', email: `${uniq('e')}@canaduck.example` },
    },
    { expect: (r) => (r.status === 409 ? !r.text.includes(alice.email) || 'the answer shows the email of the account' : 'expected 409') },
  );
  await hit(
    'register a taken email',
    {
      method: 'POST',
      path: '/register',
      body: { pseudo: uniq('n'), password: 'a-fine-password', email: bob.email },
    },
    {
      expect: (r) =>
        r.status === 409 ? !r.text.includes(bob.pseudo) || 'the answer names the account that owns the email' : 'expected 409',
    },
  );
  group('refusals', m);
  tally.check(
    'login: unknown pseudo and wrong password get the same status and body',
    wrongPw.status === noUser.status && wrongPw.json?.error === noUser.json?.error && wrongPw.json?.code === noUser.json?.code,
    `wrong password: ${describe(wrongPw)}\nunknown pseudo: ${describe(noUser)}`,
  );
  // Timing, measured directly on user-service (the gateway's rate limit would stop us).
  const known = [];
  const missing = [];
  for (let i = 0; i < 8; i++) {
    const pw = `wrong-${randomBytes(4).toString('hex')}`;
    const a = await call(svc.user.base, 'POST', '/login', { body: { pseudo: alice.pseudo, password: pw }, timeoutMs: 5000 });
    const b = await call(svc.user.base, 'POST', '/login', { body: { pseudo: uniq('ghost'), password: pw }, timeoutMs: 5000 });
    if (a.status === 401) known.push(a.ms);
    if (b.status === 401) missing.push(b.ms);
  }
  const mk = median(known);
  const mu = median(missing);
  const ratio = Math.min(mk, mu) / Math.max(mk, mu);
  tally.check(
    `login timing: median ${mk?.toFixed(1)} ms (known pseudo) vs ${mu?.toFixed(1)} ms (unknown): ratio ${ratio.toFixed(2)} (>= 0.5, or both under 5 ms)`,
    known.length >= 6 && missing.length >= 6 && (ratio >= 0.5 || Math.max(mk, mu) < 5),
    `direct POST /login on user-service: known ${known.map(Math.round).join(',')} ms; unknown ${missing.map(Math.round).join(',')} ms`,
  );
}
