import request from 'supertest';
import { testDatabases } from '@canaduck/testing';
import { auditLines, registerUser, signedUp, signedUpAdmin, useService } from './support';

describe.each(testDatabases())('concurrent role grants (%s)', (kind) => {
  const svc = useService(kind);

  it.each([
    ['POST /user/roles/<pseudo>', (pseudo: string) => ({ path: `/user/roles/${pseudo}`, body: { role: 'admin' } })],
    ['POST /make-admin/<pseudo>', (pseudo: string) => ({ path: `/make-admin/${pseudo}`, body: undefined })],
  ])('when 30 grants of the same role arrive at once through %s, then no 5xx, exactly one 201, the rest 200', async (_route, target) => {
    const admin = await signedUpAdmin(svc);
    const user = await registerUser(svc.app);
    const { path, body } = target(user.pseudo);
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => {
        const req = request(svc.app).post(path).set('Authorization', admin.auth);
        return body ? req.send(body) : req;
      }),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(29);
    for (const r of answers) expect(r.body).toEqual({ pseudo: user.pseudo, roles: ['user', 'admin'] });
    expect(auditLines(svc, 'role_granted').filter((l) => l.pseudo === user.pseudo)).toHaveLength(1);
    const roles = await request(svc.app).get(`/user/roles/${user.pseudo}`).expect(200);
    expect(roles.body.roles).toEqual(['user', 'admin']);
  });
});

describe.each(testDatabases())('role grants racing status changes (%s)', (kind) => {
  const svc = useService(kind);

  it('when make-admin calls and the same users status changes arrive at once, then no 5xx and every grant holds', async () => {
    const admin = await signedUpAdmin(svc);
    const users = await Promise.all(Array.from({ length: 4 }, () => signedUp(svc.app, 'race')));
    const calls = users.flatMap((user) =>
      Array.from({ length: 6 }, (_, i) => [
        request(svc.app).post(`/make-admin/${user.pseudo}`).set('Authorization', admin.auth),
        request(svc.app)
          .post('/user/status')
          .set('Authorization', user.auth)
          .send({ status: `busy ${i}` }),
      ]).flat(),
    );
    const answers = await Promise.all(calls);
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    // A grant revokes the user's older tokens, so a status change may come after it with 401.
    expect(statuses.every((s) => [200, 201, 401, 409].includes(s))).toBe(true);
    for (const user of users) {
      const roles = await request(svc.app).get(`/user/roles/${user.pseudo}`).expect(200);
      expect(roles.body.roles).toEqual(['user', 'admin']);
    }
  });
});
