import request from 'supertest';
import { testDatabases, uniqueName } from '@canaduck/testing';
import { auditLines, registerUser, startService } from './support';

describe.each(testDatabases())('first admin at start-up (%s)', (kind) => {
  it('when ADMIN_PSEUDO is free, then the admin is created with roles user and admin and can log in', async () => {
    const svc = await startService(kind);
    try {
      const pseudo = uniqueName('Boss');
      expect(
        await svc.accounts.ensureFirstAdmin({ pseudo, password: 'admin password 1', email: `${pseudo.toLowerCase()}@localhost` }),
      ).toBe(true);
      const login = await request(svc.app).post('/login').send({ pseudo, password: 'admin password 1' });
      expect(login.status).toBe(200);
      expect(login.body.user).toMatchObject({ pseudo, roles: ['user', 'admin'], email: `${pseudo.toLowerCase()}@localhost` });
      expect(auditLines(svc, 'admin_bootstrapped')).toHaveLength(1);
    } finally {
      await svc.close();
    }
  });

  it('when the pseudo already exists, then nothing changes (no new role, no new password)', async () => {
    const svc = await startService(kind);
    try {
      const user = await registerUser(svc.app);
      expect(await svc.accounts.ensureFirstAdmin({ pseudo: user.pseudo, password: 'another password', email: 'x@localhost' })).toBe(false);
      expect((await request(svc.app).get(`/user/roles/${user.pseudo}`)).body.roles).toEqual(['user']);
      await request(svc.app).post('/login').send({ pseudo: user.pseudo, password: 'another password' }).expect(401);
    } finally {
      await svc.close();
    }
  });
});
