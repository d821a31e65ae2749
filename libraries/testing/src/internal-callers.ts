import request from 'supertest';
import { SERVICE_NAMES } from '@canaduck/contracts';
import { bearer, disallowedInternalCalls, internalCalls, serviceBearer } from './test-tokens';

/** What supertest can call: an Express app, a plain handler or a server. */
export type TestedApp = Parameters<typeof request>[0];

/**
 * The callers check of every internal route of `callee`, generated from INTERNAL_CALLERS
 * (structures.md section 5), so that a route added to the contract is tested without a new case:
 * each service the contract does not name gets 403 service_not_allowed, and each caller it names
 * gets 401 invalid_token with a token addressed to another service; an unknown internal path
 * answers 401 without a service token, 404 with one. Call it inside a describe;
 * `app()` is read when the tests run (after beforeAll).
 */
export function itChecksInternalCallers(callee: string, app: () => TestedApp): void {
  it.each(disallowedInternalCalls(callee))('when $caller calls $route, then 403 service_not_allowed', async ({ method, path, caller }) => {
    const res = await request(app())[method](path).set('Authorization', serviceBearer(caller, callee)).send({});
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: `${caller} may not call this route`, code: 'service_not_allowed' });
  });

  const otherService = SERVICE_NAMES.find((s) => s !== callee)!;
  it.each(internalCalls(callee, true))(
    `when $caller calls $route with a token addressed to ${otherService}, then 401 invalid_token`,
    async ({ method, path, caller }) => {
      const res = await request(app())[method](path).set('Authorization', serviceBearer(caller, otherService)).send({});
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('invalid_token');
    },
  );

  // An unknown internal path must not tell a caller without credentials that it does not exist.
  it.each([
    ['no token', undefined, 401],
    ['a user token', bearer('someone'), 401],
    [`a token of ${otherService} addressed to ${callee}`, serviceBearer(otherService, callee), 404],
  ])('when an unknown /internal path is called with %s, then %i', async (_case, authorization, status) => {
    const call = request(app()).get('/internal/no-such-route/x');
    const res = await (authorization ? call.set('Authorization', authorization) : call);
    expect(res.status).toBe(status);
    expect(res.body.code).toEqual(status === 401 ? expect.stringMatching(/^(token_missing|invalid_token)$/) : 'route_not_found');
  });
}
