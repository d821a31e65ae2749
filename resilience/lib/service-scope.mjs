// Service-token scope (issue 25, item 1): each service's credentials, as the stack derives them
// from SERVICE_TOKEN_SECRET, against every internal route that does not serve that service. Each
// must be a 403 service_not_allowed: a valid token of one service opens only its own routes (the
// gateway's never message-service's stream, which carries private text).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const auth = require('../../libraries/auth/dist/index.js');
const { INTERNAL_CALLERS, SERVICE_NAMES } = require('../../libraries/contracts/dist/index.js');

/** The path of a route pattern with this run's data, and a body for the POSTs. */
function concrete(route, { alice, priv }) {
  const [method, pattern] = route.split(' ');
  const path = pattern.replace(':pseudo', alice.pseudo).replace(':name', priv);
  const query = pattern === '/internal/channels' ? `?names=${priv}` : pattern.endsWith('/events') ? '?after=0' : '';
  const body =
    method === 'POST'
      ? pattern.endsWith('guests')
        ? { pseudo: 'ScopeGuest1', password: 'x'.repeat(20) }
        : { pseudos: [alice.pseudo] }
      : undefined;
  return { method, path: path + query, body };
}

export async function runServiceScope({ tally, hit, mark, group, svc, secret, alice, priv }) {
  tally.scenario('service-token scope: each service may call only the internal routes that serve it');
  const tokenOf = async (caller, callee) => auth.signServiceToken(auth.serviceKeysFrom({ service: caller, secret }), callee);
  const refused = (res) => (res.status === 403 && res.json?.code === 'service_not_allowed') || 'expected 403 service_not_allowed';

  const m = mark();
  for (const [callee, routes] of Object.entries(INTERNAL_CALLERS)) {
    const base = svc[callee.replace('-service', '')].base;
    for (const [route, allowed] of Object.entries(routes)) {
      const req = concrete(route, { alice, priv });
      for (const caller of SERVICE_NAMES.filter((s) => !allowed.includes(s))) {
        await hit(
          `${caller}'s token on ${callee} ${route}`,
          { base, ...req, token: await tokenOf(caller, callee), as: caller },
          { expect: refused },
        );
      }
    }
  }
  group('every service against every internal route it may not call: 403 service_not_allowed', m);

  const mc = mark();
  // A token addressed to another callee opens nothing, even on a route its caller may use.
  await hit(
    "gateway-service's token for user-service on message-service's stream",
    {
      base: svc.message.base,
      method: 'GET',
      path: '/internal/events?after=0',
      token: await tokenOf('gateway-service', 'user-service'),
      as: 'gateway-service',
    },
    { expect: [401] },
  );
  await hit(
    "stats-service's token for channel-service on message-service's stream",
    {
      base: svc.message.base,
      method: 'GET',
      path: '/internal/events?after=0',
      token: await tokenOf('stats-service', 'channel-service'),
      as: 'stats-service',
    },
    { expect: [401] },
  );
  group('a service token addressed to another service: 401 everywhere', mc);

  // Control: the same credentials on a route that serves them are accepted.
  const control = await fetch(`${svc.user.base}/internal/users/${alice.pseudo}/token-state`, {
    headers: { authorization: `Bearer ${await tokenOf('gateway-service', 'user-service')}` },
  });
  tally.check(
    "control: gateway-service's token on user-service's token-state (a route that serves it) is accepted (200)",
    control.status === 200,
    `status ${control.status}`,
  );
}
