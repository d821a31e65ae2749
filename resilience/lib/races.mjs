// The same write sent many times at once: check-then-insert code answers 500 on a
// duplicate key under concurrency. Exactly one creation may win; the rest are 4xx
// or idempotent 2xx, never a 5xx.
import { uniq } from './fixtures.mjs';

const N = 10;

export async function runRaces(c) {
  const { tally, hit, mark, group, svc, admin, bob, mallory, mChannel, mMsg } = c;
  tally.scenario(`concurrent duplicate writes (${N} at once)`);
  const m = mark();
  const burst = (label, req, expect) => Promise.all(Array.from({ length: N }, () => hit(label, req, { expect })));
  // Both routes that grant a role, interleaved, straight to user-service (the gateway's
  // queueing would serialise them), on fresh users: the widest window for a check-then-insert race.
  const results = { grant: [] };
  let pseudo;
  // The first round also fills the connection pools, which is what lets the later ones run truly in parallel.
  for (let round = 0; round < 4; round++) {
    const target = await hit(
      'register a race target',
      {
        base: svc.user.base,
        method: 'POST',
        path: '/register',
        body: { pseudo: uniq('race'), password: 'long-enough-pw', email: `${uniq('r')}@canaduck.example` },
      },
      { expect: [201] },
    );
    pseudo = target.json?.pseudo;
    const grant = Array.from({ length: 30 }, (_, i) =>
      i % 2
        ? hit(
            'make-admin at once',
            { base: svc.user.base, method: 'POST', path: `/make-admin/${pseudo}`, token: admin.token, as: 'admin' },
            { expect: [200, 201] },
          )
        : hit(
            'grant the admin role at once',
            {
              base: svc.user.base,
              method: 'POST',
              path: `/user/roles/${pseudo}`,
              body: { role: 'admin' },
              token: admin.token,
              as: 'admin',
            },
            { expect: [200, 201] },
          ),
    );
    results.grant.push(...(await Promise.all(grant)));
  }
  const name = uniq('race');
  results.channel = await burst(
    'create one channel name at once',
    { method: 'POST', path: '/channel', body: { name }, token: mallory.token, as: mallory.pseudo },
    [201, 409],
  );
  const rp = uniq('race');
  results.register = await burst(
    'register one pseudo at once',
    {
      base: svc.user.base,
      method: 'POST',
      path: '/register',
      body: { pseudo: rp, password: 'long-enough-pw', email: `${rp}@canaduck.example` },
    },
    [201, 409],
  );
  results.join = await burst(
    'join at once',
    { method: 'POST', path: `/channel/${mChannel}/join`, token: bob.token, as: bob.pseudo },
    [200, 201],
  );
  results.reaction = await burst(
    'same reaction at once',
    { method: 'POST', path: '/msg/reaction', body: { message_id: mMsg.id, emoji: '🦆' }, token: bob.token, as: bob.pseudo },
    [200, 201],
  );
  results.pin = await burst(
    'pin at once',
    { method: 'POST', path: `/msg/${mMsg.id}/pin`, token: mallory.token, as: mallory.pseudo },
    [200, 201],
  );
  results.invite = await burst(
    'invite at once',
    { method: 'POST', path: `/channel/${mChannel}/invite`, body: { pseudo }, token: mallory.token, as: mallory.pseudo },
    [200, 201],
  );
  group('no 5xx under concurrent duplicates', m);
  for (const key of ['channel', 'register']) {
    const created = results[key].filter((r) => r.status === 201).length;
    tally.check(
      `${key}: exactly one of ${N} concurrent creations wins (${created})`,
      created === 1,
      results[key].map((r) => r.status).join(','),
    );
  }
}
