import request from 'supertest';
import { bearer, serviceBearer, testDatabases, uniqueName } from '@canaduck/testing';
import { GUEST_PASSWORD, signedUp, useService } from './support';
const LEASE = { owner: 'door-a', lease_seconds: 60 };

describe.each(testDatabases())('guests of the IRC door (%s)', (kind) => {
  const svc = useService(kind);
  /** What the door sends for a new guest. */
  const createGuest = (pseudo: string) =>
    request(svc.app)
      .post('/internal/guests')
      .set('Authorization', serviceBearer('irc-service', 'user-service'))
      .send({ pseudo, password: GUEST_PASSWORD, ...LEASE });

  it('when the door creates a guest, then 201 with a token, whois shows it online, and its password logs in', async () => {
    const pseudo = uniqueName('Guest');
    const res = await createGuest(pseudo);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      token: expect.any(String),
      expires_in: expect.any(Number),
      user: expect.objectContaining({ pseudo, roles: ['user'] }),
    });
    expect(res.body.user.email).toBeUndefined();
    const whois = await request(svc.app).get(`/whois/${pseudo}`);
    expect(whois.status).toBe(200);
    expect(whois.body).toEqual(expect.objectContaining({ pseudo, status: 'online' }));
    await request(svc.app).post('/user/status').set('Authorization', `Bearer ${res.body.token}`).send({ status: 'busy' }).expect(200);
    await request(svc.app).post('/login').send({ pseudo, password: GUEST_PASSWORD }).expect(200);
  });

  it('when a guest asks for a registered or deleted pseudo, or one another guest holds, then 409 pseudo_taken', async () => {
    const user = await signedUp(svc.app);
    const taken = await createGuest(user.pseudo.toUpperCase());
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('pseudo_taken');
    await request(svc.app).delete(`/user/${user.pseudo}`).set('Authorization', user.auth).expect(200);
    const deleted = await createGuest(user.pseudo);
    expect(deleted.status).toBe(409);
    const pseudo = uniqueName('Guest');
    await createGuest(pseudo).expect(201);
    const twice = await createGuest(pseudo);
    expect(twice.status).toBe(409);
  });

  it('when the door deletes a guest, then whois is 404 and the pseudo is free again; a registered account is never deleted this way', async () => {
    const pseudo = uniqueName('Guest');
    await createGuest(pseudo).expect(201);
    const res = await request(svc.app)
      .delete(`/internal/guests/${pseudo}`)
      .set('Authorization', serviceBearer('irc-service', 'user-service'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ result: `guest ${pseudo} deleted` });
    expect((await request(svc.app).get(`/whois/${pseudo}`)).status).toBe(404);
    await createGuest(pseudo).expect(201);

    const user = await signedUp(svc.app);
    const refused = await request(svc.app)
      .delete(`/internal/guests/${user.pseudo}`)
      .set('Authorization', serviceBearer('irc-service', 'user-service'));
    expect(refused.status).toBe(404);
    expect(refused.body).toEqual({ error: 'no guest has this pseudo', code: 'user_not_found' });
    expect((await request(svc.app).get(`/whois/${user.pseudo}`)).status).toBe(200);
  });

  it('when the body is bad or the caller is not a service, then 400/422 or 401', async () => {
    await request(svc.app).post('/internal/guests').set('Authorization', serviceBearer('irc-service', 'user-service')).send({}).expect(400);
    const noLease = await request(svc.app)
      .post('/internal/guests')
      .set('Authorization', serviceBearer('irc-service', 'user-service'))
      .send({ pseudo: uniqueName('g'), password: GUEST_PASSWORD });
    expect(noLease.status).toBe(400);
    const bad = await createGuest('1bad');
    expect(bad.status).toBe(422);
    const short = await request(svc.app)
      .post('/internal/guests')
      .set('Authorization', serviceBearer('irc-service', 'user-service'))
      .send({ pseudo: uniqueName('g'), password: 'short', ...LEASE });
    expect(short.status).toBe(422);
    await request(svc.app)
      .post('/internal/guests')
      .send({ pseudo: uniqueName('g'), password: GUEST_PASSWORD, ...LEASE })
      .expect(401);
    await request(svc.app)
      .delete(`/internal/guests/${uniqueName('g')}`)
      .set('Authorization', bearer('someone', ['user', 'admin']))
      .expect(401);
  });
});
