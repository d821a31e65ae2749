import nock from 'nock';
import request from 'supertest';
import { bearer, testDatabases, uniqueName } from '@canaduck/testing';
import {
  access,
  admin,
  closedPortUrl,
  config,
  createChannel,
  join,
  startApp,
  usersOf,
  USER_SERVICE_URL,
  useAppWithFakeUserService,
  type TestApp,
} from './support';

/** user-service answers that the user exists, under its registered spelling. */
function userExists(pseudo: string, registered = pseudo) {
  return nock(USER_SERVICE_URL)
    .matchHeader('authorization', /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/)
    .get(`/internal/users/${pseudo}`)
    .reply(200, { pseudo: registered, roles: ['user'], status: 'online' });
}

describe.each(testDatabases())('join, part and invite (%s)', (kind) => {
  const t = useAppWithFakeUserService(kind);

  describe('POST /channel/<name>/join', () => {
    it('when a user joins a public channel, then they are a member (and joining again is harmless)', async () => {
      const name = await createChannel(t.app, uniqueName());
      const user = uniqueName('Marcel');
      const res = await request(t.app).post(`/channel/${name}/join`).set('Authorization', bearer(user));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ result: `${user} joined #${name}` });
      const again = await request(t.app).post(`/channel/${name}/join`).set('Authorization', bearer(user.toLowerCase()));
      expect(again.status).toBe(200);
      expect((await usersOf(t.app, name)).filter((u) => u.role === 'member')).toEqual([{ pseudo: user, role: 'member' }]);
      expect((await config(t.app, name)).members_count).toBe(2);
    });

    it('when a user joins a private channel uninvited, then it is 403 and they are not a member', async () => {
      const name = await createChannel(t.app, uniqueName(), { private: true });
      const user = uniqueName();
      const res = await request(t.app).post(`/channel/${name}/join`).set('Authorization', bearer(user));
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('invite_required');
      expect((await access(t.app, name, user)).member).toBe(false);
    });

    it('when an invited user joins a private channel, then they are a member and the invitation is used up', async () => {
      const owner = uniqueName();
      const name = await createChannel(t.app, owner, { private: true });
      const user = uniqueName('Gin');
      const scope = userExists(user.toLowerCase(), user);
      const inv = await request(t.app)
        .post(`/channel/${name}/invite`)
        .set('Authorization', bearer(owner))
        .send({ pseudo: user.toLowerCase() });
      expect(inv.status).toBe(200);
      expect(inv.body).toEqual({ result: `${user} invited to #${name}` });
      expect(scope.isDone()).toBe(true);
      expect((await config(t.app, name)).invited).toEqual([user]);
      await join(t.app, name, user);
      const cfg = await config(t.app, name);
      expect(cfg.invited).toEqual([]);
      expect(cfg.members_count).toBe(2);
      expect((await request(t.app).get(`/channel/${name}/users`).set('Authorization', bearer(user))).status).toBe(200);
    });

    it('when an admin joins a private channel uninvited, then it is allowed', async () => {
      const name = await createChannel(t.app, uniqueName(), { private: true });
      expect((await request(t.app).post(`/channel/${name}/join`).set('Authorization', admin())).status).toBe(200);
    });

    it('when a banned user joins, then it is 403 banned', async () => {
      const owner = uniqueName();
      const name = await createChannel(t.app, owner);
      const user = uniqueName();
      await request(t.app)
        .post(`/channel/${name}/ban`)
        .set('Authorization', bearer(owner))
        .send({ pseudo: user, reason: 'spam' })
        .expect(200);
      const res = await request(t.app).post(`/channel/${name}/join`).set('Authorization', bearer(user));
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: `you are banned from #${name}`, code: 'banned' });
    });

    it('when the channel does not exist, then it is 404; without a token 401', async () => {
      expect(
        (
          await request(t.app)
            .post(`/channel/${uniqueName('x')}/join`)
            .set('Authorization', bearer(uniqueName()))
        ).status,
      ).toBe(404);
      const name = await createChannel(t.app, uniqueName());
      expect((await request(t.app).post(`/channel/${name}/join`)).status).toBe(401);
    });
  });

  describe('POST /channel/<name>/part', () => {
    it('when a member parts, then they are no longer a member; parting again is 404', async () => {
      const name = await createChannel(t.app, uniqueName());
      const user = uniqueName();
      await join(t.app, name, user);
      const res = await request(t.app).post(`/channel/${name}/part`).set('Authorization', bearer(user));
      expect(res.status).toBe(200);
      expect((await access(t.app, name, user)).member).toBe(false);
      const again = await request(t.app).post(`/channel/${name}/part`).set('Authorization', bearer(user));
      expect(again.status).toBe(404);
      expect(again.body.code).toBe('not_member');
    });

    it.each([
      ['a reason of 301 characters', 422, { reason: 'x'.repeat(301) }],
      ['a reason on two lines', 422, { reason: 'a\nb' }],
      ['a reason that is not a string', 400, { reason: 7 }],
    ])('when a member parts with %s, then it is %i and they stay a member', async (_case, status, body) => {
      const name = await createChannel(t.app, uniqueName());
      const user = uniqueName();
      await join(t.app, name, user);
      const res = await request(t.app).post(`/channel/${name}/part`).set('Authorization', bearer(user)).send(body);
      expect(res.status).toBe(status);
      expect(res.body).toMatchObject({
        error: expect.any(String),
        code: expect.any(String),
        fields: [expect.objectContaining({ field: 'reason' })],
      });
      expect((await access(t.app, name, user)).member).toBe(true);
    });

    it('when a member parts with a 300-character reason in IRC colours, then it is 200', async () => {
      const name = await createChannel(t.app, uniqueName());
      const user = uniqueName();
      await join(t.app, name, user);
      const reason = `\u000304,01${'y'.repeat(293)}\u000f`;
      const res = await request(t.app).post(`/channel/${name}/part`).set('Authorization', bearer(user)).send({ reason });
      expect(res.status).toBe(200);
      expect((await access(t.app, name, user)).member).toBe(false);
    });

    it('when the owner parts, then it is 409 and they stay owner', async () => {
      const owner = uniqueName();
      const name = await createChannel(t.app, owner);
      const res = await request(t.app).post(`/channel/${name}/part`).set('Authorization', bearer(owner));
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('owner_cannot_part');
      expect((await access(t.app, name, owner)).role).toBe('owner');
    });

    it('when a moderator parts and rejoins, then they are a plain member', async () => {
      const owner = uniqueName();
      const mod = uniqueName();
      const name = await createChannel(t.app, owner);
      await join(t.app, name, mod);
      await request(t.app).post(`/channel/${name}/moderators`).set('Authorization', bearer(owner)).send({ pseudo: mod }).expect(200);
      await request(t.app).post(`/channel/${name}/part`).set('Authorization', bearer(mod)).expect(200);
      await join(t.app, name, mod);
      expect((await access(t.app, name, mod)).role).toBe('member');
    });
  });

  describe('POST /channel/<name>/invite', () => {
    it('when the user does not exist, then it is 404 user_not_found and nobody is invited', async () => {
      const owner = uniqueName();
      const name = await createChannel(t.app, owner, { private: true });
      const ghost = uniqueName('ghost');
      nock(USER_SERVICE_URL).get(`/internal/users/${ghost}`).reply(404, { error: 'user not found', code: 'user_not_found' });
      const res = await request(t.app).post(`/channel/${name}/invite`).set('Authorization', bearer(owner)).send({ pseudo: ghost });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: `user ${ghost} not found`, code: 'user_not_found' });
      expect((await config(t.app, name)).invited).toEqual([]);
    });

    it('when a moderator or an admin invites, then it works; a plain member or outsider gets 403 without asking user-service', async () => {
      const owner = uniqueName();
      const mod = uniqueName();
      const member = uniqueName();
      const name = await createChannel(t.app, owner);
      await join(t.app, name, mod);
      await join(t.app, name, member);
      await request(t.app).post(`/channel/${name}/moderators`).set('Authorization', bearer(owner)).send({ pseudo: mod }).expect(200);
      for (const who of [bearer(member), bearer(uniqueName())]) {
        const res = await request(t.app).post(`/channel/${name}/invite`).set('Authorization', who).send({ pseudo: 'someone' });
        expect(res.status).toBe(403);
        expect(res.body.code).toBe('not_moderator');
      }
      const a = uniqueName();
      const b = uniqueName();
      userExists(a);
      userExists(b);
      expect((await request(t.app).post(`/channel/${name}/invite`).set('Authorization', bearer(mod)).send({ pseudo: a })).status).toBe(200);
      expect((await request(t.app).post(`/channel/${name}/invite`).set('Authorization', admin()).send({ pseudo: b })).status).toBe(200);
      expect(((await config(t.app, name)).invited as string[]).sort()).toEqual([a, b].sort());
    });

    it('when the user is already a member or banned, then it is 409', async () => {
      const owner = uniqueName();
      const name = await createChannel(t.app, owner);
      const member = uniqueName();
      await join(t.app, name, member);
      const dup = await request(t.app).post(`/channel/${name}/invite`).set('Authorization', bearer(owner)).send({ pseudo: member });
      expect(dup.status).toBe(409);
      expect(dup.body.code).toBe('already_member');
      const banned = uniqueName();
      await request(t.app)
        .post(`/channel/${name}/ban`)
        .set('Authorization', bearer(owner))
        .send({ pseudo: banned, reason: 'x' })
        .expect(200);
      const res = await request(t.app).post(`/channel/${name}/invite`).set('Authorization', bearer(owner)).send({ pseudo: banned });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('banned');
    });

    it('when the pseudo is invalid or missing, then it is 422 or 400', async () => {
      const owner = uniqueName();
      const name = await createChannel(t.app, owner);
      expect(
        (await request(t.app).post(`/channel/${name}/invite`).set('Authorization', bearer(owner)).send({ pseudo: '1abc' })).status,
      ).toBe(422);
      expect((await request(t.app).post(`/channel/${name}/invite`).set('Authorization', bearer(owner)).send({})).status).toBe(400);
    });
  });

  // Failures get their own app: its circuit breaker counts them, and must not open on the other tests.
  describe('POST /channel/<name>/invite when user-service misbehaves', () => {
    let f: TestApp;
    beforeAll(async () => {
      f = await startApp(kind, USER_SERVICE_URL, 1000);
    });
    afterAll(async () => f.close());

    it('when user-service is down (connection refused), then it is 503 and nobody is invited', async () => {
      const down = await startApp(kind, await closedPortUrl());
      try {
        const owner = uniqueName();
        const name = await createChannel(down.app, owner, { private: true });
        const res = await request(down.app)
          .post(`/channel/${name}/invite`)
          .set('Authorization', bearer(owner))
          .send({ pseudo: uniqueName() });
        expect(res.status).toBe(503);
        expect(res.body).toEqual({ error: 'user-service unavailable', code: 'dependency_unavailable' });
        expect((await config(down.app, name)).invited).toEqual([]);
      } finally {
        await down.close();
      }
    });

    it('when user-service fails with a 500, then it is 503', async () => {
      const owner = uniqueName();
      const name = await createChannel(f.app, owner);
      const user = uniqueName();
      nock(USER_SERVICE_URL).get(`/internal/users/${user}`).reply(500, { error: 'boom' });
      const res = await request(f.app).post(`/channel/${name}/invite`).set('Authorization', bearer(owner)).send({ pseudo: user });
      expect(res.status).toBe(503);
    });

    it('when user-service does not answer in time, then it is 504', async () => {
      const owner = uniqueName();
      const name = await createChannel(f.app, owner);
      const user = uniqueName();
      // A hang far beyond the 1 s timeout: the 504 cannot depend on how loaded the machine is.
      nock(USER_SERVICE_URL).get(`/internal/users/${user}`).delay(20_000).reply(200, { pseudo: user });
      const res = await request(f.app).post(`/channel/${name}/invite`).set('Authorization', bearer(owner)).send({ pseudo: user });
      expect(res.status).toBe(504);
      expect(res.body.code).toBe('dependency_timeout');
      nock.abortPendingRequests();
    });
  });
});
