import request from 'supertest';
import { serviceBearer, testDatabases, uniqueName } from '@canaduck/testing';
import { registerUser, signedUp, startService, type TestService } from './support';

describe.each(testDatabases())('presence: /seen, /ison, /user/status (%s)', (kind) => {
  let svc: TestService;
  // A clock the tests move, to cross PRESENCE_TIMEOUT without sleeping.
  let clock = Date.now();
  beforeAll(async () => {
    svc = await startService(kind, { now: () => clock, settings: { presenceTimeoutSeconds: 300 } });
  });
  afterAll(async () => {
    await svc.close();
  });

  describe('GET /seen/<pseudo>', () => {
    it('when the user never logged in, then last_seen is null', async () => {
      const user = await registerUser(svc.app);
      const res = await request(svc.app).get(`/seen/${user.pseudo.toLowerCase()}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ pseudo: user.pseudo, last_seen: null });
    });

    it('when the user logged in, then last_seen is the login time in ISO 8601 UTC', async () => {
      const user = await signedUp(svc.app);
      const res = await request(svc.app).get(`/seen/${user.pseudo}`).expect(200);
      expect(res.body.last_seen).toBe(new Date(clock).toISOString());
    });

    it('when the gateway reports activity, then last_seen moves forward', async () => {
      const user = await signedUp(svc.app);
      const later = new Date(clock - 1000 + 60_000);
      clock += 60_000;
      await request(svc.app)
        .post('/internal/activity')
        .set('Authorization', serviceBearer('gateway-service', 'user-service'))
        .send({ pseudos: [user.pseudo], at: later.toISOString() })
        .expect(200);
      expect((await request(svc.app).get(`/seen/${user.pseudo}`)).body.last_seen).toBe(later.toISOString());
    });

    it.each([
      ['unknown', () => uniqueName('ghost')],
      ['not a valid pseudo', () => "x' OR '1'='1"],
    ])('when the pseudo is %s, then 404', async (_w, name) => {
      const res = await request(svc.app).get(`/seen/${encodeURIComponent(name())}`);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: 'user not found', code: 'user_not_found' });
    });
  });

  describe('GET /ison', () => {
    it('when some names are online, then only they come back, in the order asked and the stored case', async () => {
      const a = await signedUp(svc.app, 'Ab');
      const b = await signedUp(svc.app, 'Cd');
      const never = await registerUser(svc.app);
      const res = await request(svc.app).get(
        `/ison?users=${b.pseudo.toLowerCase()},${never.pseudo},${a.pseudo.toUpperCase()},${uniqueName('ghost')},not%20valid,,${a.pseudo}`,
      );
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ online: [b.pseudo, a.pseudo] });
    });

    it('when a user is not seen for longer than PRESENCE_TIMEOUT, then they are no longer online', async () => {
      const user = await signedUp(svc.app);
      clock += 299_000;
      expect((await request(svc.app).get(`/ison?users=${user.pseudo}`)).body.online).toEqual([user.pseudo]);
      clock += 2_000;
      expect((await request(svc.app).get(`/ison?users=${user.pseudo}`)).body.online).toEqual([]);
      expect((await request(svc.app).get(`/whois/${user.pseudo}`)).body.status).toBe('offline');
      await request(svc.app)
        .post('/internal/activity')
        .set('Authorization', serviceBearer('gateway-service', 'user-service'))
        .send({ pseudos: [user.pseudo] })
        .expect(200);
      expect((await request(svc.app).get(`/ison?users=${user.pseudo}`)).body.online).toEqual([user.pseudo]);
    });

    it('when the user set the status offline, then they are not online', async () => {
      const user = await signedUp(svc.app);
      await request(svc.app).post('/user/status').set('Authorization', user.auth).send({ status: 'offline' }).expect(200);
      expect((await request(svc.app).get(`/ison?users=${user.pseudo}`)).body.online).toEqual([]);
    });

    it('when 100 names are asked, then 200; when 101, then 422 too_many_names', async () => {
      const names = Array.from({ length: 101 }, (_, i) => `n${i}`);
      await request(svc.app)
        .get(`/ison?users=${names.slice(0, 100).join(',')}`)
        .expect(200);
      const res = await request(svc.app).get(`/ison?users=${names.join(',')}`);
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('too_many_names');
    });

    it('when users is missing or given twice, then 400', async () => {
      await request(svc.app).get('/ison').expect(400);
      await request(svc.app).get('/ison?users=').expect(400);
      await request(svc.app).get('/ison?users=a&users=b').expect(400);
    });
  });

  describe('POST /user/status', () => {
    it.each(['away', 'Busy', 'idle', 'online'])(
      'when the status is the word %s, then it is stored lower-case and shown by whois',
      async (status) => {
        const user = await signedUp(svc.app);
        const res = await request(svc.app).post('/user/status').set('Authorization', user.auth).send({ status });
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ pseudo: user.pseudo, status: status.toLowerCase() });
        expect((await request(svc.app).get(`/whois/${user.pseudo}`)).body.status).toBe(status.toLowerCase());
      },
    );

    it('when the status is a free text of 64 characters with emoji, then it is kept as is', async () => {
      const user = await signedUp(svc.app);
      const status = `en réunion 🦆 ${'x'.repeat(51)}`;
      expect([...status].length).toBe(64);
      const res = await request(svc.app).post('/user/status').set('Authorization', user.auth).send({ status });
      expect(res.status).toBe(200);
      expect((await request(svc.app).get(`/whois/${user.pseudo}`)).body.status).toBe(status);
    });

    it.each([
      ['65 characters', 'y'.repeat(65)],
      ['empty', '   '],
      ['a control character', 'away\nnow'],
      ['a lone surrogate', '\ud800'],
      ['text ending in a lone low surrogate', 'away \udc00'],
    ])('when the status is %s, then 422', async (_w, status) => {
      const user = await signedUp(svc.app);
      const res = await request(svc.app).post('/user/status').set('Authorization', user.auth).send({ status });
      expect(res.status).toBe(422);
    });

    it('when the status is not a string, then 400', async () => {
      const user = await signedUp(svc.app);
      await request(svc.app).post('/user/status').set('Authorization', user.auth).send({ status: 1 }).expect(400);
    });

    it('when there is no token, then 401', async () => {
      await request(svc.app).post('/user/status').send({ status: 'away' }).expect(401);
    });
  });
});
