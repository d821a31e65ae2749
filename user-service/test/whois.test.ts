import nock from 'nock';
import request from 'supertest';
import { verifyServiceToken } from '@canaduck/auth';
import { testDatabases, testServiceKeys, uniqueName } from '@canaduck/testing';
import { CHANNEL_URL, registerUser, signedUp, startService, type TestService } from './support';

describe.each(testDatabases())('GET /whois/<pseudo> (%s)', (kind) => {
  let svc: TestService;
  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
    svc = await startService(kind, { settings: { whoisChannelsTimeoutMs: 200 } });
  });
  afterEach(() => {
    nock.cleanAll();
  });
  afterAll(async () => {
    nock.enableNetConnect();
    await svc.close();
  });

  it('when channel-service answers, then 200 with its channels and no email or hash, asked with a service token', async () => {
    const user = await signedUp(svc.app);
    let auth = '';
    const scope = nock(CHANNEL_URL)
      .get(`/internal/users/${user.pseudo}/channels`)
      .reply(function () {
        auth = String(this.req.headers.authorization);
        return [200, { pseudo: user.pseudo, channels: ['general', 'tech'] }];
      });
    const res = await request(svc.app).get(`/whois/${user.pseudo.toUpperCase()}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      pseudo: user.pseudo,
      status: 'online',
      roles: ['user'],
      channels: ['general', 'tech'],
      last_seen: expect.any(String),
      avatar_url: expect.stringMatching(/^data:image\/svg\+xml;base64,/),
    });
    expect(res.body).not.toHaveProperty('email');
    expect(JSON.stringify(res.body)).not.toMatch(/\$2[aby]\$/);
    expect(await verifyServiceToken(auth.replace(/^Bearer /, ''), testServiceKeys('channel-service'))).toBe('user-service');
    scope.done();
  });

  it('when channel-service is down, then 200 with channels null and channels_unavailable', async () => {
    const user = await registerUser(svc.app);
    nock(CHANNEL_URL)
      .get(`/internal/users/${user.pseudo}/channels`)
      .replyWithError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' });
    const res = await request(svc.app).get(`/whois/${user.pseudo}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ pseudo: user.pseudo, status: 'offline', channels: null, channels_unavailable: true, last_seen: null });
  });

  it('when channel-service is slower than the timeout, then whois still answers in time with channels null', async () => {
    const user = await registerUser(svc.app);
    nock(CHANNEL_URL)
      .get(`/internal/users/${user.pseudo}/channels`)
      .delay(10_000)
      .reply(200, { pseudo: user.pseudo, channels: ['late'] });
    const start = Date.now();
    const res = await request(svc.app).get(`/whois/${user.pseudo}`);
    // The 300 ms timeout cut it: well before the 10 s hang, with room for a loaded machine.
    expect(Date.now() - start).toBeLessThan(4000);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ channels: null, channels_unavailable: true });
    nock.abortPendingRequests();
  });

  it.each([
    ['a 500', 500, { error: 'boom' }],
    ['a malformed body', 200, { channels: 'tech' }],
  ])('when channel-service gives %s, then channels null', async (_w, status, body) => {
    const user = await registerUser(svc.app);
    nock(CHANNEL_URL).get(`/internal/users/${user.pseudo}/channels`).reply(status, body);
    const res = await request(svc.app).get(`/whois/${user.pseudo}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ channels: null, channels_unavailable: true });
  });

  it('when the pseudo has IRC special characters, then it is sent to channel-service URL-encoded', async () => {
    const pseudo = `R[${uniqueName('x')}]|`;
    await request(svc.app)
      .post('/register')
      .send({ pseudo, password: 'correct horse battery', email: `${uniqueName('e')}@canaduck.example` })
      .expect(201);
    const scope = nock(CHANNEL_URL)
      .get(`/internal/users/${encodeURIComponent(pseudo)}/channels`)
      .reply(200, { pseudo, channels: [] });
    const res = await request(svc.app).get(`/whois/${encodeURIComponent(pseudo)}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ pseudo, channels: [] });
    expect(res.body).not.toHaveProperty('channels_unavailable');
    scope.done();
  });

  it('when the user is unknown, then 404 without calling channel-service', async () => {
    const res = await request(svc.app).get(`/whois/${uniqueName('ghost')}`);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('user_not_found');
  });

  it('when an invalid token is sent, then 401', async () => {
    const user = await registerUser(svc.app);
    await request(svc.app).get(`/whois/${user.pseudo}`).set('Authorization', 'Bearer not.a.token').expect(401);
  });
});
