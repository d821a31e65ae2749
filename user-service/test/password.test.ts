import request from 'supertest';
import { bearer, testDatabases } from '@canaduck/testing';
import { auditLines, PASSWORD, signedUp, signedUpAdmin, useService } from './support';

describe.each(testDatabases())('PATCH /user/<pseudo>/password (%s)', (kind) => {
  const svc = useService(kind);

  const NEW = 'a brand new password';

  it('when the user changes their own password, then 200, the old one fails and the new one works', async () => {
    const user = await signedUp(svc.app);
    const res = await request(svc.app)
      .patch(`/user/${user.pseudo}/password`)
      .set('Authorization', user.auth)
      .send({ old_password: PASSWORD, new_password: NEW });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ result: 'password changed' });
    await request(svc.app).post('/login').send({ pseudo: user.pseudo, password: PASSWORD }).expect(401);
    await request(svc.app).post('/login').send({ pseudo: user.pseudo, password: NEW }).expect(200);
    expect(auditLines(svc, 'password_changed').some((l) => l.pseudo === user.pseudo)).toBe(true);
  });

  it('when the old password is wrong, then 401 and the password is unchanged', async () => {
    const user = await signedUp(svc.app);
    const res = await request(svc.app)
      .patch(`/user/${user.pseudo}/password`)
      .set('Authorization', user.auth)
      .send({ old_password: 'not the password', new_password: NEW });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('invalid_credentials');
    await request(svc.app).post('/login').send({ pseudo: user.pseudo, password: PASSWORD }).expect(200);
  });

  it('when someone else (even an admin) changes it, then 403', async () => {
    const user = await signedUp(svc.app);
    const other = await signedUp(svc.app);
    const admin = await signedUpAdmin(svc);
    for (const auth of [other.auth, admin.auth]) {
      const res = await request(svc.app)
        .patch(`/user/${user.pseudo}/password`)
        .set('Authorization', auth)
        .send({ old_password: PASSWORD, new_password: NEW });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('not_self');
    }
  });

  it('when the path pseudo differs only in case, then it is still the user themself', async () => {
    const user = await signedUp(svc.app);
    await request(svc.app)
      .patch(`/user/${user.pseudo.toUpperCase()}/password`)
      .set('Authorization', user.auth)
      .send({ old_password: PASSWORD, new_password: NEW })
      .expect(200);
  });

  it.each([
    ['too short', 'short'],
    ['too long', 'x'.repeat(73)],
    ['the same as the old one', PASSWORD],
  ])('when the new password is %s, then 422', async (_what, newPassword) => {
    const user = await signedUp(svc.app);
    const res = await request(svc.app)
      .patch(`/user/${user.pseudo}/password`)
      .set('Authorization', user.auth)
      .send({ old_password: PASSWORD, new_password: newPassword });
    expect(res.status).toBe(422);
  });

  it('when a field is missing, then 400', async () => {
    const user = await signedUp(svc.app);
    const res = await request(svc.app).patch(`/user/${user.pseudo}/password`).set('Authorization', user.auth).send({ new_password: NEW });
    expect(res.status).toBe(400);
  });

  it('when there is no token, then 401', async () => {
    const res = await request(svc.app).patch('/user/roger/password').send({ old_password: PASSWORD, new_password: NEW });
    expect(res.status).toBe(401);
  });

  it('when the token belongs to a deleted account, then 401 account_deleted', async () => {
    const user = await signedUp(svc.app);
    await request(svc.app).delete(`/user/${user.pseudo}`).set('Authorization', user.auth).expect(200);
    const res = await request(svc.app)
      .patch(`/user/${user.pseudo}/password`)
      .set('Authorization', bearer(user.pseudo))
      .send({ old_password: PASSWORD, new_password: NEW });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('account_deleted');
  });
});

describe.each(testDatabases())('PATCH /user/<pseudo>/password, tries per account (%s)', (kind) => {
  const svc = useService(kind, { settings: { passwordChangeMax: 3, passwordChangeWindowSeconds: 600 } });

  it('when an account spends PASSWORD_CHANGE_MAX tries, then the next one is 429 rate_limited with Retry-After, even with the right password, and other accounts still may', async () => {
    const user = await signedUp(svc.app);
    const other = await signedUp(svc.app);
    const change = (who: { pseudo: string; auth: string }, old: string) =>
      request(svc.app)
        .patch(`/user/${who.pseudo}/password`)
        .set('Authorization', who.auth)
        .send({ old_password: old, new_password: 'another long password' });
    for (let i = 0; i < 3; i++) expect((await change(user, `guess number ${i}`)).status).toBe(401);

    const limited = await change(user, PASSWORD);
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ error: expect.stringMatching(/too many password changes/), code: 'rate_limited' });
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect(auditLines(svc, 'password_change_limited').some((l) => l.pseudo === user.pseudo)).toBe(true);
    // The password did not change: the old one still logs in.
    await request(svc.app).post('/login').send({ pseudo: user.pseudo, password: PASSWORD }).expect(200);

    expect((await change(other, PASSWORD)).status).toBe(200);
  });
});
