import { INTERNAL_CALLERS, SERVICE_NAMES } from '@canaduck/contracts';
import { readText } from './helpers/repo';

/** structures.md section 5's "Internal callers" table, as `callee -> route -> callers`. */
function documentedCallers(): Record<string, Record<string, string[]>> {
  const text = readText('structures.md');
  const section = text.slice(text.indexOf('### Internal callers'), text.indexOf('### user-service', text.indexOf('### Internal callers')));
  const table: Record<string, Record<string, string[]>> = {};
  for (const m of section.matchAll(/^\| ([a-z-]+) \| `([A-Z]+ [^`]+)` \| ([a-z, -]+) \|$/gm)) {
    (table[m[1]] ??= {})[m[2]] = m[3].split(',').map((s) => s.trim());
  }
  return table;
}

describe('who may call each internal route', () => {
  it("when structures.md's table is read, then it is exactly INTERNAL_CALLERS, the lists the routes check", () => {
    const documented = documentedCallers();
    expect(Object.keys(documented).length).toBeGreaterThan(0);
    const sorted = (t: Record<string, Record<string, readonly string[]>>) =>
      Object.fromEntries(Object.entries(t).map(([c, r]) => [c, Object.fromEntries(Object.entries(r).map(([k, v]) => [k, [...v].sort()]))]));
    expect(sorted(documented)).toEqual(sorted(INTERNAL_CALLERS));
  });

  it("when message-service's stream is looked at, then the gateway, user- and channel-service may never read it (private text)", () => {
    const readers = INTERNAL_CALLERS['message-service']['GET /internal/events'] as readonly string[];
    for (const never of ['gateway-service', 'user-service', 'channel-service']) expect(readers).not.toContain(never);
  });

  it('when the gateway is looked at, then it may call only what it needs: activity, token state and the user stream', () => {
    const gatewayRoutes = Object.entries(INTERNAL_CALLERS).flatMap(([callee, routes]) =>
      Object.entries(routes)
        .filter(([, callers]) => (callers as readonly string[]).includes('gateway-service'))
        .map(([route]) => `${callee} ${route}`),
    );
    expect(gatewayRoutes.sort()).toEqual([
      'user-service GET /internal/events',
      'user-service GET /internal/users/:pseudo/token-state',
      'user-service POST /internal/activity',
    ]);
  });

  it('when every allowed caller is listed, then each is a known service', () => {
    for (const routes of Object.values(INTERNAL_CALLERS))
      for (const callers of Object.values(routes)) for (const c of callers) expect(SERVICE_NAMES).toContain(c);
  });
});
