import jwt from 'jsonwebtoken';
import request from 'supertest';
import { bearer, testDatabases, uniqueName } from '@canaduck/testing';
import { auditLines, loginAs, PASSWORD, registerUser, signedUp, signedUpAdmin, startService, useService } from './support';

describe.each(testDatabases())('roles: /user/roles, /make-admin (%s)', (kind) => {
  const svc = useService(kind);

  describe('GET /user/roles/<pseudo>', () => {
    it('when the user exists, then 200 with their roles, to anyone', async () => {
      const user = await registerUser(svc.app);
      const res = await request(svc.app).get(`/user/roles/${user.pseudo.toLowerCase()}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ pseudo: user.pseudo, roles: ['user'] });
    });

    it('when the user is unknown, then 404', async () => {
      await request(svc.app)
        .get(`/user/roles/${uniqueName('ghost')}`)
        .expect(404);
    });
  });

  describe('POST /user/roles/<pseudo>', () => {
    it('when an admin grants admin, then 201, the roles show it, an audit line records it, and the next login carries it', async () => {
      const admin = await signedUpAdmin(svc);
      const user = await registerUser(svc.app);
      const res = await request(svc.app).post(`/user/roles/${user.pseudo}`).set('Authorization', admin.auth).send({ role: 'admin' });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ pseudo: user.pseudo, roles: ['user', 'admin'] });
      expect(auditLines(svc, 'role_granted').some((l) => l.pseudo === user.pseudo && l.by === admin.pseudo && l.role === 'admin')).toBe(
        true,
      );
      const token = (await loginAs(svc.app, user)).replace('Bearer ', '');
      expect((jwt.decode(token) as { roles: string[] }).roles).toEqual(['user', 'admin']);
    });

    it('when the role is already held, then 200 and nothing changes', async () => {
      const admin = await signedUpAdmin(svc);
      const user = await registerUser(svc.app);
      const res = await request(svc.app).post(`/user/roles/${user.pseudo}`).set('Authorization', admin.auth).send({ role: 'user' });
      expect(res.status).toBe(200);
      expect(res.body.roles).toEqual(['user']);
    });

    it('when the caller is not admin, then 403 role_required', async () => {
      const user = await signedUp(svc.app);
      const res = await request(svc.app).post(`/user/roles/${user.pseudo}`).set('Authorization', user.auth).send({ role: 'admin' });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('role_required');
      expect((await request(svc.app).get(`/user/roles/${user.pseudo}`)).body.roles).toEqual(['user']);
    });

    it('when the token says admin but the account is no longer admin, then 403', async () => {
      const user = await registerUser(svc.app);
      const target = await registerUser(svc.app);
      const res = await request(svc.app)
        .post(`/user/roles/${target.pseudo}`)
        .set('Authorization', bearer(user.pseudo, ['user', 'admin']))
        .send({ role: 'admin' });
      expect(res.status).toBe(403);
    });

    it('when the role is unknown, then 422; when missing, then 400', async () => {
      const admin = await signedUpAdmin(svc);
      const user = await registerUser(svc.app);
      const unknown = await request(svc.app)
        .post(`/user/roles/${user.pseudo}`)
        .set('Authorization', admin.auth)
        .send({ role: 'superuser' });
      expect(unknown.status).toBe(422);
      await request(svc.app).post(`/user/roles/${user.pseudo}`).set('Authorization', admin.auth).send({}).expect(400);
    });

    it('when the user is unknown, then 404', async () => {
      const admin = await signedUpAdmin(svc);
      await request(svc.app)
        .post(`/user/roles/${uniqueName('ghost')}`)
        .set('Authorization', admin.auth)
        .send({ role: 'admin' })
        .expect(404);
    });

    it('when there is no token, then 401', async () => {
      await request(svc.app).post('/user/roles/roger').send({ role: 'admin' }).expect(401);
    });
  });

  describe('DELETE /user/roles/<pseudo>/<role>', () => {
    it('when an admin removes admin from another admin, then 200 and it is gone', async () => {
      const admin = await signedUpAdmin(svc);
      const other = await signedUpAdmin(svc);
      const res = await request(svc.app).delete(`/user/roles/${other.pseudo}/admin`).set('Authorization', admin.auth);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ pseudo: other.pseudo, roles: ['user'] });
      expect(auditLines(svc, 'role_revoked').some((l) => l.pseudo === other.pseudo && l.by === admin.pseudo)).toBe(true);
      // The demoted admin's old token still says admin; user-service refuses it at once.
      const refused = await request(svc.app).post(`/make-admin/${other.pseudo}`).set('Authorization', other.auth);
      expect(refused.status).toBe(403);
    });

    it('when the role is user, then 422 base_role', async () => {
      const admin = await signedUpAdmin(svc);
      const user = await registerUser(svc.app);
      const res = await request(svc.app).delete(`/user/roles/${user.pseudo}/user`).set('Authorization', admin.auth);
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('base_role');
    });

    it('when the role is unknown, then 422; when not held, then 404', async () => {
      const admin = await signedUpAdmin(svc);
      const user = await registerUser(svc.app);
      await request(svc.app).delete(`/user/roles/${user.pseudo}/root`).set('Authorization', admin.auth).expect(422);
      const notHeld = await request(svc.app).delete(`/user/roles/${user.pseudo}/admin`).set('Authorization', admin.auth);
      expect(notHeld.status).toBe(404);
      expect(notHeld.body.code).toBe('role_not_held');
    });

    it('when the caller is not admin, then 403', async () => {
      const admin = await signedUpAdmin(svc);
      const user = await signedUp(svc.app);
      await request(svc.app).delete(`/user/roles/${admin.pseudo}/admin`).set('Authorization', user.auth).expect(403);
    });
  });

  describe('POST /make-admin/<pseudo>', () => {
    it('when an admin makes a user admin, then 201; again, then 200', async () => {
      const admin = await signedUpAdmin(svc);
      const user = await registerUser(svc.app);
      const res = await request(svc.app).post(`/make-admin/${user.pseudo}`).set('Authorization', admin.auth);
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ pseudo: user.pseudo, roles: ['user', 'admin'] });
      await request(svc.app).post(`/make-admin/${user.pseudo}`).set('Authorization', admin.auth).expect(200);
    });

    it('when a user tries to make themself admin, then 403', async () => {
      const user = await signedUp(svc.app);
      const res = await request(svc.app).post(`/make-admin/${user.pseudo}`).set('Authorization', user.auth);
      expect(res.status).toBe(403);
      expect((await request(svc.app).get(`/user/roles/${user.pseudo}`)).body.roles).toEqual(['user']);
    });

    it('when the user is unknown, then 404', async () => {
      const admin = await signedUpAdmin(svc);
      await request(svc.app)
        .post(`/make-admin/${uniqueName('ghost')}`)
        .set('Authorization', admin.auth)
        .expect(404);
    });
  });
});

describe.each(testDatabases())('the last admin (%s)', (kind) => {
  it('when the only admin would lose admin, then 409 last_admin, also when two admins race to leave', async () => {
    const svc = await startService(kind);
    try {
      const admin = await signedUpAdmin(svc);
      const refused = await request(svc.app).delete(`/user/roles/${admin.pseudo}/admin`).set('Authorization', admin.auth);
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('last_admin');

      // The two admins each give up admin at once (one by removing the role, one by deleting
      // the account): exactly one of them must be refused.
      const second = await signedUpAdmin(svc);
      const [revoke, del] = await Promise.all([
        request(svc.app).delete(`/user/roles/${admin.pseudo}/admin`).set('Authorization', admin.auth),
        request(svc.app).delete(`/user/${second.pseudo}`).set('Authorization', second.auth),
      ]);
      expect([revoke.status, del.status].sort()).toEqual([200, 409]);
      const adminsLeft = del.status === 200 ? [admin.pseudo] : [second.pseudo];
      const roles = await request(svc.app).get(`/user/roles/${adminsLeft[0]}`).expect(200);
      expect(roles.body.roles).toContain('admin');
      expect((await request(svc.app).post('/login').send({ pseudo: adminsLeft[0], password: PASSWORD })).status).toBe(200);
    } finally {
      await svc.close();
    }
  });
});
