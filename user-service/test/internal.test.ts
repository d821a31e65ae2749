import request from 'supertest';
import { bearer, serviceBearer, testDatabases, uniqueName } from '@canaduck/testing';
import { registerUser, signedUp, signedUpAdmin, useService } from './support';

describe.each(testDatabases())('internal routes (%s)', (kind) => {
  const svc = useService(kind);

  describe('GET /internal/users/<pseudo>', () => {
    it('when a service asks about an existing user, then 200 with pseudo, roles and status', async () => {
      const user = await signedUp(svc.app);
      const res = await request(svc.app)
        .get(`/internal/users/${user.pseudo.toLowerCase()}`)
        .set('Authorization', serviceBearer('channel-service', 'user-service'));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ pseudo: user.pseudo, roles: ['user'], status: 'online' });
    });

    it('when the user is an admin, then the roles say so', async () => {
      const admin = await signedUpAdmin(svc);
      const res = await request(svc.app)
        .get(`/internal/users/${admin.pseudo}`)
        .set('Authorization', serviceBearer('channel-service', 'user-service'));
      expect(res.body.roles).toEqual(['user', 'admin']);
    });

    it('when the user is unknown, then 404 user not found', async () => {
      const res = await request(svc.app)
        .get(`/internal/users/${uniqueName('ghost')}`)
        .set('Authorization', serviceBearer('channel-service', 'user-service'));
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: 'user not found', code: 'user_not_found' });
    });

    it('when a user token (even admin) or no token is sent, then 401', async () => {
      const user = await registerUser(svc.app);
      await request(svc.app).get(`/internal/users/${user.pseudo}`).expect(401);
      await request(svc.app)
        .get(`/internal/users/${user.pseudo}`)
        .set('Authorization', bearer(user.pseudo, ['user', 'admin']))
        .expect(401);
    });
  });

  describe('POST /internal/activity', () => {
    it('when a batch comes, then last_seen moves forward for the known users and the count says how many', async () => {
      const a = await registerUser(svc.app);
      const b = await registerUser(svc.app);
      const at = new Date(Date.now() - 5000).toISOString();
      const res = await request(svc.app)
        .post('/internal/activity')
        .set('Authorization', serviceBearer('gateway-service', 'user-service'))
        .send({ pseudos: [a.pseudo, b.pseudo.toUpperCase(), uniqueName('ghost')], at });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ result: 'activity recorded', updated: 2 });
      expect((await request(svc.app).get(`/seen/${a.pseudo}`)).body.last_seen).toBe(at);
    });

    it('when an older date comes, then last_seen does not move back', async () => {
      const user = await signedUp(svc.app);
      const before = (await request(svc.app).get(`/seen/${user.pseudo}`)).body.last_seen;
      const res = await request(svc.app)
        .post('/internal/activity')
        .set('Authorization', serviceBearer('gateway-service', 'user-service'))
        .send({ pseudos: [user.pseudo], at: '2020-01-01T00:00:00.000Z' });
      expect(res.body.updated).toBe(0);
      expect((await request(svc.app).get(`/seen/${user.pseudo}`)).body.last_seen).toBe(before);
    });

    it('when the date is in the future, then it counts as now', async () => {
      const user = await registerUser(svc.app);
      await request(svc.app)
        .post('/internal/activity')
        .set('Authorization', serviceBearer('gateway-service', 'user-service'))
        .send({ pseudos: [user.pseudo], at: '2999-01-01T00:00:00.000Z' })
        .expect(200);
      const seen = Date.parse((await request(svc.app).get(`/seen/${user.pseudo}`)).body.last_seen);
      expect(seen).toBeLessThanOrEqual(Date.now());
    });

    it.each([
      ['1001 pseudos', { pseudos: Array.from({ length: 1001 }, (_, i) => `p${i}`) }, 422],
      ['an invalid pseudo', { pseudos: ['ok', '1bad'] }, 422],
      ['a bad date', { pseudos: ['ok'], at: 'yesterday' }, 422],
      ['no pseudos', {}, 400],
      ['pseudos as a string', { pseudos: 'roger' }, 400],
    ])('when the body has %s, then %i', async (_w, body, status) => {
      await request(svc.app)
        .post('/internal/activity')
        .set('Authorization', serviceBearer('gateway-service', 'user-service'))
        .send(body)
        .expect(status);
    });

    it('when a user token is sent, then 401', async () => {
      const user = await registerUser(svc.app);
      await request(svc.app)
        .post('/internal/activity')
        .set('Authorization', bearer(user.pseudo))
        .send({ pseudos: [user.pseudo] })
        .expect(401);
    });
  });
});
