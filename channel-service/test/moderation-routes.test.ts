import nock from 'nock';
import request from 'supertest';
import { bearer, testDatabases, uniqueName } from '@canaduck/testing';
import { access, admin, config, createChannel, join, useApp, USER_SERVICE_URL, usersOf } from './support';

describe.each(testDatabases())('bans, kicks and moderators (%s)', (kind) => {
  const t = useApp(kind);
  afterEach(() => nock.cleanAll());

  async function staffedChannel(body: Record<string, unknown> = {}) {
    const owner = uniqueName('own');
    const mod = uniqueName('mod');
    const mod2 = uniqueName('mod');
    const member = uniqueName('mem');
    const name = await createChannel(t.app, owner, body);
    for (const p of [mod, mod2, member]) await join(t.app, name, p);
    for (const p of [mod, mod2]) {
      await request(t.app).post(`/channel/${name}/moderators`).set('Authorization', bearer(owner)).send({ pseudo: p }).expect(200);
    }
    return { name, owner, mod, mod2, member };
  }

  const ban = (name: string, by: string, pseudo: string, reason = 'spam') =>
    request(t.app).post(`/channel/${name}/ban`).set('Authorization', by).send({ pseudo, reason });

  describe('POST /channel/<name>/ban', () => {
    it('when a moderator bans a member, then the membership is removed and the ban shows in the config', async () => {
      const c = await staffedChannel();
      const res = await ban(c.name, bearer(c.mod), c.member.toUpperCase(), 'flood');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ result: `${c.member.toUpperCase()} banned from #${c.name}` });
      const cfg = await config(t.app, c.name);
      expect(cfg.banned).toEqual([{ pseudo: c.member, reason: 'flood', by: c.mod, at: expect.stringMatching(/Z$/) }]);
      expect(cfg.members_count).toBe(3);
      expect(await access(t.app, c.name, c.member)).toMatchObject({ member: false, banned: true, can_read: false, can_post: false });
    });

    it('when an invited user is banned, then the invitation is gone too', async () => {
      const c = await staffedChannel();
      const invitee = uniqueName('Inv');
      nock(USER_SERVICE_URL)
        .get(`/internal/users/${invitee}`)
        .reply(200, { pseudo: invitee, roles: ['user'], status: 'online' });
      await request(t.app).post(`/channel/${c.name}/invite`).set('Authorization', bearer(c.mod)).send({ pseudo: invitee }).expect(200);
      expect((await config(t.app, c.name)).invited).toEqual([invitee]);
      const res = await ban(c.name, bearer(c.owner), invitee.toLowerCase());
      expect(res.status).toBe(200);
      expect((await config(t.app, c.name)).invited).toEqual([]);
    });

    it('when someone is banned twice, then the reason is updated and there is one entry', async () => {
      const c = await staffedChannel();
      await ban(c.name, bearer(c.owner), 'Spammer', 'first').expect(200);
      await ban(c.name, bearer(c.mod), 'spammer', 'second').expect(200);
      expect((await config(t.app, c.name)).banned).toEqual([{ pseudo: 'Spammer', reason: 'second', by: c.mod, at: expect.any(String) }]);
    });

    it('when anyone tries to ban the owner, then it is 403 cannot_ban_owner, even an admin', async () => {
      const c = await staffedChannel();
      for (const who of [bearer(c.mod), bearer(c.owner), admin()]) {
        const res = await ban(c.name, who, c.owner.toUpperCase());
        expect(res.status).toBe(403);
        expect(res.body.code).toBe('cannot_ban_owner');
      }
      expect((await access(t.app, c.name, c.owner)).role).toBe('owner');
    });

    it('when a moderator bans another moderator, then it is 403; the owner and an admin may', async () => {
      const c = await staffedChannel();
      const res = await ban(c.name, bearer(c.mod), c.mod2);
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('cannot_ban_moderator');
      expect((await ban(c.name, bearer(c.owner), c.mod2)).status).toBe(200);
      expect((await ban(c.name, admin(), c.mod)).status).toBe(200);
      expect((await usersOf(t.app, c.name)).map((u) => u.pseudo)).toEqual([c.owner, c.member]);
    });

    it('when a plain member or an outsider bans, then it is 403', async () => {
      const c = await staffedChannel();
      for (const who of [c.member, uniqueName()]) {
        const res = await ban(c.name, bearer(who), c.mod);
        expect(res.status).toBe(403);
        expect(res.body.code).toBe('not_moderator');
      }
      expect((await config(t.app, c.name)).banned).toEqual([]);
    });

    it('when the body is wrong, then it is 400 or 422; no token 401; unknown channel 404', async () => {
      const c = await staffedChannel();
      expect((await ban(c.name, bearer(c.owner), 'x', 'r'.repeat(301))).status).toBe(422);
      expect((await ban(c.name, bearer(c.owner), '-bad')).status).toBe(422);
      expect((await request(t.app).post(`/channel/${c.name}/ban`).set('Authorization', bearer(c.owner)).send({ reason: 'x' })).status).toBe(
        400,
      );
      expect((await request(t.app).post(`/channel/${c.name}/ban`).send({ pseudo: 'x' })).status).toBe(401);
      expect((await ban(uniqueName('no'), bearer(c.owner), 'x')).status).toBe(404);
    });

    it('when no reason is given, then the ban has an empty reason', async () => {
      const c = await staffedChannel();
      await request(t.app).post(`/channel/${c.name}/ban`).set('Authorization', bearer(c.owner)).send({ pseudo: 'quiet' }).expect(200);
      expect((await config(t.app, c.name)).banned).toEqual([expect.objectContaining({ pseudo: 'quiet', reason: '' })]);
    });
  });

  describe('DELETE /channel/<name>/ban/<pseudo>', () => {
    it('when a moderator lifts a ban, then the user may join again', async () => {
      const c = await staffedChannel();
      await ban(c.name, bearer(c.owner), c.member).expect(200);
      const res = await request(t.app).delete(`/channel/${c.name}/ban/${c.member.toUpperCase()}`).set('Authorization', bearer(c.mod));
      expect(res.status).toBe(200);
      expect((await config(t.app, c.name)).banned).toEqual([]);
      await join(t.app, c.name, c.member);
    });

    it('when the pseudo is not banned, then it is 404; a plain member gets 403', async () => {
      const c = await staffedChannel();
      const none = await request(t.app).delete(`/channel/${c.name}/ban/nobody`).set('Authorization', bearer(c.owner));
      expect(none.status).toBe(404);
      expect(none.body.code).toBe('not_banned');
      await ban(c.name, bearer(c.owner), 'someone').expect(200);
      const res = await request(t.app).delete(`/channel/${c.name}/ban/someone`).set('Authorization', bearer(c.member));
      expect(res.status).toBe(403);
      expect((await config(t.app, c.name)).banned).toHaveLength(1);
    });
  });

  describe('POST /channel/<name>/kick', () => {
    const kick = (name: string, by: string, pseudo: string) =>
      request(t.app).post(`/channel/${name}/kick`).set('Authorization', by).send({ pseudo, reason: 'calm down' });

    it('when a moderator kicks a member, then they are out but may join again', async () => {
      const c = await staffedChannel();
      const res = await kick(c.name, bearer(c.mod), c.member);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ result: `${c.member} kicked from #${c.name}` });
      expect((await access(t.app, c.name, c.member)).member).toBe(false);
      await join(t.app, c.name, c.member);
    });

    it('when the target is not a member, then it is 404 not_member', async () => {
      const c = await staffedChannel();
      const res = await kick(c.name, bearer(c.owner), uniqueName());
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('not_member');
    });

    it('when the owner is kicked, or a moderator kicks a moderator, then it is 403; the owner may kick a moderator', async () => {
      const c = await staffedChannel();
      const owner = await kick(c.name, admin(), c.owner);
      expect(owner.status).toBe(403);
      expect(owner.body.code).toBe('cannot_kick_owner');
      const mod = await kick(c.name, bearer(c.mod), c.mod2);
      expect(mod.status).toBe(403);
      expect(mod.body.code).toBe('cannot_kick_moderator');
      expect((await kick(c.name, bearer(c.owner), c.mod2)).status).toBe(200);
    });

    it('when a plain member kicks, then it is 403 and the target stays', async () => {
      const c = await staffedChannel();
      const res = await kick(c.name, bearer(c.member), c.mod);
      expect(res.status).toBe(403);
      expect((await access(t.app, c.name, c.mod)).role).toBe('moderator');
    });
  });

  describe('moderators', () => {
    it('when the owner names a member moderator, then they may change the topic; removing them takes it back', async () => {
      const owner = uniqueName();
      const user = uniqueName();
      const name = await createChannel(t.app, owner);
      await join(t.app, name, user);
      await request(t.app).post(`/channel/${name}/topic`).set('Authorization', bearer(user)).send({ topic: 'x' }).expect(403);
      const add = await request(t.app)
        .post(`/channel/${name}/moderators`)
        .set('Authorization', bearer(owner))
        .send({ pseudo: user.toUpperCase() });
      expect(add.status).toBe(200);
      expect((await config(t.app, name)).moderators).toEqual([user]);
      await request(t.app).post(`/channel/${name}/topic`).set('Authorization', bearer(user)).send({ topic: 'x' }).expect(200);
      const del = await request(t.app).delete(`/channel/${name}/moderators/${user}`).set('Authorization', bearer(owner));
      expect(del.status).toBe(200);
      expect((await config(t.app, name)).moderators).toEqual([]);
      expect((await access(t.app, name, user)).role).toBe('member');
      await request(t.app).post(`/channel/${name}/topic`).set('Authorization', bearer(user)).send({ topic: 'y' }).expect(403);
    });

    it('when a moderator (not owner) adds or removes moderators, then it is 403; an admin may', async () => {
      const c = await staffedChannel();
      const add = await request(t.app).post(`/channel/${c.name}/moderators`).set('Authorization', bearer(c.mod)).send({ pseudo: c.member });
      expect(add.status).toBe(403);
      expect(add.body.code).toBe('not_owner');
      expect((await request(t.app).delete(`/channel/${c.name}/moderators/${c.mod2}`).set('Authorization', bearer(c.mod))).status).toBe(403);
      expect(
        (await request(t.app).post(`/channel/${c.name}/moderators`).set('Authorization', admin()).send({ pseudo: c.member })).status,
      ).toBe(200);
      expect(((await config(t.app, c.name)).moderators as string[]).sort()).toEqual([c.mod, c.mod2, c.member].sort());
    });

    it('when the pseudo is not a member, is the owner, or is not a moderator, then it is 404, 409, 404', async () => {
      const c = await staffedChannel();
      const notMember = await request(t.app)
        .post(`/channel/${c.name}/moderators`)
        .set('Authorization', bearer(c.owner))
        .send({ pseudo: uniqueName() });
      expect(notMember.status).toBe(404);
      expect(notMember.body.code).toBe('not_member');
      const self = await request(t.app)
        .post(`/channel/${c.name}/moderators`)
        .set('Authorization', bearer(c.owner))
        .send({ pseudo: c.owner });
      expect(self.status).toBe(409);
      expect(self.body.code).toBe('already_owner');
      const notMod = await request(t.app).delete(`/channel/${c.name}/moderators/${c.member}`).set('Authorization', bearer(c.owner));
      expect(notMod.status).toBe(404);
      expect(notMod.body.code).toBe('not_moderator');
    });
  });
});
