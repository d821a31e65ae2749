import request from 'supertest';
import { disallowedInternalCalls, serviceBearer, testDatabases } from '@canaduck/testing';
import { useApp } from './support';

/** Each internal route serves only the services INTERNAL_CALLERS names (structures.md section 5). */
describe.each(testDatabases())('channel-service internal routes and their callers (%s)', (kind) => {
  const t = useApp(kind);

  it.each(disallowedInternalCalls('channel-service'))(
    'when $caller calls $route, then 403 service_not_allowed',
    async ({ method, path, caller }) => {
      const res = await request(t.app)[method](path).set('Authorization', serviceBearer(caller, 'channel-service')).send({});
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: `${caller} may not call this route`, code: 'service_not_allowed' });
    },
  );

  it('when an allowed caller sends a token addressed to another service, then 401 invalid_token', async () => {
    const res = await request(t.app)
      .get('/internal/channels/tech/access/roger')
      .set('Authorization', serviceBearer('message-service', 'user-service'));
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('invalid_token');
  });
});
