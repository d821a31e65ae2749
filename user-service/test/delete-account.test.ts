import request from 'supertest';
import { bearer, serviceBearer, testDatabases, uniqueName } from '@canaduck/testing';
import { auditLines, PASSWORD, registerUser, signedUp, signedUpAdmin, startService, useService } from './support';

describe.each(testDatabases())('DELETE /user/<pseudo> (%s)', (kind) => {
  const svc = useService(kind);

  it('when the user deletes themself, then 200 and the account is gone everywhere', async () => {
    const user = await signedUp(svc.app);
    const res = await request(svc.app).delete(`/user/${user.pseudo}`).set('Authorization', user.auth);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ result: 'account deleted' });
    for (const path of [`/whois/${user.pseudo}`, `/seen/${user.pseudo}`, `/user/avatar/${user.pseudo}`, `/user/roles/${user.pseudo}`]) {
      const gone = await request(svc.app).get(path);
      expect(gone.status).toBe(404);
      expect(gone.body.code).toBe('user_not_found');
    }
    await request(svc.app)
      .get(`/internal/users/${user.pseudo}`)
      .set('Authorization', serviceBearer('channel-service', 'user-service'))
      .expect(404);
    await request(svc.app).post('/login').send({ pseudo: user.pseudo, password: PASSWORD }).expect(401);
    expect((await request(svc.app).get(`/ison?users=${user.pseudo}`)).body).toEqual({ online: [] });
    expect(auditLines(svc, 'account_deleted').some((l) => l.pseudo === user.pseudo && l.by === user.pseudo)).toBe(true);
  });

  it('when the email of a deleted account is used again, then 409', async () => {
    const user = await signedUp(svc.app);
    await request(svc.app).delete(`/user/${user.pseudo}`).set('Authorization', user.auth).expect(200);
    const res = await request(svc.app)
      .post('/register')
      .send({ pseudo: uniqueName('n'), password: PASSWORD, email: user.email });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('email_taken');
  });

  it('when an admin deletes someone, then 200', async () => {
    const user = await registerUser(svc.app);
    const admin = await signedUpAdmin(svc);
    await request(svc.app).delete(`/user/${user.pseudo}`).set('Authorization', admin.auth).expect(200);
    await request(svc.app).get(`/whois/${user.pseudo}`).expect(404);
  });

  it('when another user deletes someone, then 403 and nothing changes', async () => {
    const user = await registerUser(svc.app);
    const other = await signedUp(svc.app);
    const res = await request(svc.app).delete(`/user/${user.pseudo}`).set('Authorization', other.auth);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('not_self');
    await request(svc.app).get(`/whois/${user.pseudo}`).expect(200);
  });

  it('when a token claims admin but the account is not admin, then 403', async () => {
    const user = await registerUser(svc.app);
    const pretender = await registerUser(svc.app);
    const res = await request(svc.app)
      .delete(`/user/${user.pseudo}`)
      .set('Authorization', bearer(pretender.pseudo, ['user', 'admin']));
    expect(res.status).toBe(403);
  });

  it('when an admin deletes an unknown user, then 404', async () => {
    const admin = await signedUpAdmin(svc);
    const res = await request(svc.app)
      .delete(`/user/${uniqueName('ghost')}`)
      .set('Authorization', admin.auth);
    expect(res.status).toBe(404);
  });

  it('when there is no token, then 401', async () => {
    await request(svc.app).delete('/user/roger').expect(401);
  });
});

describe.each(testDatabases())('DELETE /user/<pseudo> of the last admin (%s)', (kind) => {
  it('when the only admin deletes themself, then 409 last_admin; with a second admin, then 200', async () => {
    const svc = await startService(kind);
    try {
      const admin = await signedUpAdmin(svc);
      const refused = await request(svc.app).delete(`/user/${admin.pseudo}`).set('Authorization', admin.auth);
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('last_admin');
      await request(svc.app).get(`/whois/${admin.pseudo}`).expect(200);
      const other = await registerUser(svc.app);
      await request(svc.app).post(`/make-admin/${other.pseudo}`).set('Authorization', admin.auth).expect(201);
      await request(svc.app).delete(`/user/${admin.pseudo}`).set('Authorization', admin.auth).expect(200);
      expect((await request(svc.app).get(`/user/roles/${other.pseudo}`)).body.roles).toEqual(['user', 'admin']);
    } finally {
      await svc.close();
    }
  });
});
