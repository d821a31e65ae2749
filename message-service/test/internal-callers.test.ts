import request from 'supertest';
import { disallowedInternalCalls, serviceBearer, testDatabases } from '@canaduck/testing';
import { useWorldApp } from './support';

/** Each internal route serves only the services INTERNAL_CALLERS names (structures.md section 5). */
describe.each(testDatabases())('message-service internal routes and their callers (%s)', (kind) => {
  const { t } = useWorldApp(kind);

  it.each(disallowedInternalCalls('message-service'))(
    'when $caller calls $route, then 403 service_not_allowed',
    async ({ method, path, caller }) => {
      const res = await request(t.app)[method](path).set('Authorization', serviceBearer(caller, 'message-service')).send({});
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: `${caller} may not call this route`, code: 'service_not_allowed' });
    },
  );

  it('when an allowed caller sends a token addressed to another service, then 401 invalid_token', async () => {
    const res = await request(t.app).get('/internal/events').set('Authorization', serviceBearer('stats-service', 'channel-service'));
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('invalid_token');
  });
});
