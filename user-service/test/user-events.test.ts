import request from 'supertest';
import { testDatabases } from '@canaduck/testing';
import { PASSWORD, eventsOf, feed, loginAs, registerUser, signedUp, signedUpAdmin, startService, useService } from './support';

const isoNear = (iso: unknown, from: number, to: number) =>
  typeof iso === 'string' && Date.parse(iso) >= from - 1 && Date.parse(iso) <= to + 1;

describe.each(testDatabases())('user events: GET /internal/events (%s)', (kind) => {
  const svc = useService(kind, { workers: true });

  it('when a user registers, logs in, changes status, avatar and password, logs out and is deleted, then each change is one event in order, with its payload', async () => {
    const user = await signedUp(svc.app, 'ev');
    const status = await request(svc.app).post('/user/status').set('Authorization', user.auth).send({ status: 'away' });
    expect(status.status).toBe(200);
    const avatar = await request(svc.app)
      .post('/user/avatar')
      .set('Authorization', user.auth)
      .send({ avatar_url: 'https://example.com/a.png' });
    expect(avatar.status).toBe(200);
    const before = Date.now();
    const pw = await request(svc.app)
      .patch(`/user/${user.pseudo}/password`)
      .set('Authorization', user.auth)
      .send({ old_password: PASSWORD, new_password: 'another long password' });
    expect(pw.status).toBe(200);
    const fresh = await loginAs(svc.app, { pseudo: user.pseudo, password: 'another long password' });
    expect((await request(svc.app).post('/logout').set('Authorization', fresh)).status).toBe(200);
    const again = await loginAs(svc.app, { pseudo: user.pseudo, password: 'another long password' });
    expect((await request(svc.app).delete(`/user/${user.pseudo}`).set('Authorization', again)).status).toBe(200);
    const after = Date.now();

    const events = await eventsOf(svc, user.pseudo, 10);
    expect(events.map((e) => e.type)).toEqual([
      'user.registered',
      'user.status_changed',
      'user.status_changed',
      'user.avatar_changed',
      'user.password_changed',
      'user.status_changed',
      'user.logged_out',
      'user.status_changed',
      'user.status_changed',
      'user.deleted',
    ]);
    expect(events[0]).toMatchObject({ service: 'user', type: 'user.registered', data: { pseudo: user.pseudo, roles: ['user'] } });
    expect(events.filter((e) => e.type === 'user.status_changed').map((e) => e.data.status)).toEqual([
      'online',
      'away',
      'online',
      'offline',
      'online',
    ]);
    const seqs = events.map((e) => e.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    for (const type of ['user.password_changed', 'user.logged_out', 'user.deleted']) {
      const e = events.find((x) => x.type === type)!;
      expect(Object.keys(e.data).sort()).toEqual(['pseudo', 'revoked_before']);
      expect(isoNear(e.data.revoked_before, before, after)).toBe(true);
    }
    expect(events.find((e) => e.type === 'user.avatar_changed')!.data).toEqual({ pseudo: user.pseudo });
  });

  it('when an admin grants and removes a role, then user.roles_changed carries the new roles and revoked_before', async () => {
    const admin = await signedUpAdmin(svc);
    const user = await registerUser(svc.app, 'rc');
    const t0 = Date.now();
    expect(
      (await request(svc.app).post(`/user/roles/${user.pseudo}`).set('Authorization', admin.auth).send({ role: 'admin' })).status,
    ).toBe(201);
    // Granting the same role again changes nothing: no event.
    expect(
      (await request(svc.app).post(`/user/roles/${user.pseudo}`).set('Authorization', admin.auth).send({ role: 'admin' })).status,
    ).toBe(200);
    expect((await request(svc.app).delete(`/user/roles/${user.pseudo}/admin`).set('Authorization', admin.auth)).status).toBe(200);
    const events = (await eventsOf(svc, user.pseudo, 3)).filter((e) => e.type === 'user.roles_changed');
    expect(events.map((e) => e.data.roles)).toEqual([['user', 'admin'], ['user']]);
    for (const e of events) expect(isoNear(e.data.revoked_before, t0, Date.now())).toBe(true);
  });

  it('when the event cannot be written, then the change is rolled back with it (one transaction)', async () => {
    const own = await startService(kind);
    try {
      const user = await signedUp(own.app, 'atom');
      const knex = own.knex;
      await knex.schema.renameTable('outbox_events', 'outbox_events_off');
      const res = await request(own.app)
        .patch(`/user/${user.pseudo}/password`)
        .set('Authorization', user.auth)
        .send({ old_password: PASSWORD, new_password: 'another long password' });
      await knex.schema.renameTable('outbox_events_off', 'outbox_events');
      expect(res.status).toBe(500);
      // The password did not change: the old one still logs in, the new one does not.
      expect((await request(own.app).post('/login').send({ pseudo: user.pseudo, password: 'another long password' })).status).toBe(401);
      await loginAs(own.app, user);
      const rows = await knex('outbox_events').select('type');
      expect(rows.map((r: { type: string }) => r.type)).not.toContain('user.password_changed');
    } finally {
      await own.close();
    }
  });

  it('when a change is refused, then no event is written', async () => {
    const own = await startService(kind, { workers: true });
    try {
      const admin = await signedUpAdmin(own);
      // The only admin may not lose the role: 409, and no user.roles_changed.
      expect((await request(own.app).delete(`/user/roles/${admin.pseudo}/admin`).set('Authorization', admin.auth)).status).toBe(409);
      const user = await signedUp(own.app, 'rf');
      const bad = await request(own.app)
        .patch(`/user/${user.pseudo}/password`)
        .set('Authorization', user.auth)
        .send({ old_password: 'not the password', new_password: 'another long password' });
      expect(bad.status).toBe(401);
      expect((await eventsOf(own, user.pseudo, 2)).map((e) => e.type)).toEqual(['user.registered', 'user.status_changed']);
      expect((await feed(own)).filter((e) => e.type === 'user.roles_changed' || e.type === 'user.password_changed')).toEqual([]);
    } finally {
      await own.close();
    }
  });

  it('when two registrations race for one pseudo, then one account and exactly one user.registered event', async () => {
    const user = await registerUser(svc.app, 'race');
    const twin = { pseudo: `${user.pseudo}x`, password: PASSWORD, email: `${user.pseudo}x@canaduck.example` };
    const answers = await Promise.all(
      [1, 2, 3].map((i) =>
        request(svc.app)
          .post('/register')
          .send({ ...twin, email: `${i}${twin.email}` }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409]);
    const events = await eventsOf(svc, twin.pseudo, 1);
    await new Promise((r) => setTimeout(r, 100));
    expect((await feed(svc)).filter((e) => e.data.pseudo === twin.pseudo && e.type === 'user.registered')).toHaveLength(1);
    expect(events[0].type).toBe('user.registered');
  });

  it('when the feed is read without a service token, then 401', async () => {
    expect((await request(svc.app).get('/internal/events')).status).toBe(401);
  });
});
