import request from 'supertest';
import { channelAccessSchema, channelVisibilityListSchema, publicChannelsOfUserSchema, userMembershipsSchema } from '@canaduck/contracts';
import { bearer, missingChannelAccess, serviceBearer, testDatabases, uniqueName } from '@canaduck/testing';
import { access, createChannel, join, useApp } from './support';

type Who = 'owner' | 'moderator' | 'member' | 'outsider' | 'banned' | 'admin';
/** [can_read, can_post, can_moderate] per caller, for a channel after a mode change. */
type Row = Record<Who, [boolean, boolean, boolean]>;

const RPM: [boolean, boolean, boolean] = [true, true, true];
const RP_: [boolean, boolean, boolean] = [true, true, false];
const R__: [boolean, boolean, boolean] = [true, false, false];
const ___: [boolean, boolean, boolean] = [false, false, false];

// The policy of structures.md section 5, case by case.
const MATRIX: Array<[string, Row]> = [
  ['(defaults +nt)', { owner: RPM, moderator: RPM, member: RP_, outsider: R__, banned: ___, admin: RPM }],
  ['-n', { owner: RPM, moderator: RPM, member: RP_, outsider: RP_, banned: ___, admin: RPM }],
  ['+r', { owner: RPM, moderator: RPM, member: R__, outsider: R__, banned: ___, admin: RPM }],
  ['+r-n', { owner: RPM, moderator: RPM, member: R__, outsider: R__, banned: ___, admin: RPM }],
  ['+i', { owner: RPM, moderator: RPM, member: RP_, outsider: ___, banned: ___, admin: RPM }],
  ['+i-n', { owner: RPM, moderator: RPM, member: RP_, outsider: ___, banned: ___, admin: RPM }],
  ['+s-n', { owner: RPM, moderator: RPM, member: RP_, outsider: ___, banned: ___, admin: RPM }],
  ['+is+r', { owner: RPM, moderator: RPM, member: R__, outsider: ___, banned: ___, admin: RPM }],
];

describe.each(testDatabases())('internal routes (%s)', (kind) => {
  const t = useApp(kind);

  describe('GET /internal/channels/<name>/access/<pseudo>', () => {
    it.each(MATRIX)('when the channel is %s, then each caller gets the policy answer', async (mode, row) => {
      const p = {
        owner: uniqueName('o'),
        moderator: uniqueName('m'),
        member: uniqueName('u'),
        outsider: uniqueName('x'),
        banned: uniqueName('b'),
      };
      const name = await createChannel(t.app, p.owner);
      await join(t.app, name, p.moderator);
      await join(t.app, name, p.member);
      await join(t.app, name, p.banned);
      await request(t.app)
        .post(`/channel/${name}/moderators`)
        .set('Authorization', bearer(p.owner))
        .send({ pseudo: p.moderator })
        .expect(200);
      await request(t.app)
        .post(`/channel/${name}/ban`)
        .set('Authorization', bearer(p.owner))
        .send({ pseudo: p.banned, reason: 'x' })
        .expect(200);
      if (mode.startsWith('+') || mode.startsWith('-')) {
        await request(t.app).post(`/channel/${name}/mode`).set('Authorization', bearer(p.owner)).send({ mode }).expect(200);
      }
      for (const who of Object.keys(row) as Who[]) {
        const got =
          who === 'admin' ? await access(t.app, name, uniqueName('a'), true) : await access(t.app, name, p[who].toUpperCase(), false);
        expect({ who, decision: [got.can_read, got.can_post, got.can_moderate] }).toEqual({ who, decision: row[who] });
      }
    });

    it('when a member asks, then the whole answer has the contract shape', async () => {
      const owner = uniqueName();
      const name = await createChannel(t.app, owner, { private: true });
      await request(t.app).post(`/channel/${name}/mode`).set('Authorization', bearer(owner)).send({ mode: '+s' }).expect(200);
      const res = await request(t.app)
        .get(`/internal/channels/%23${name.toUpperCase()}/access/${owner}`)
        .set('Authorization', serviceBearer('message-service', 'channel-service'));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        channel: name,
        channel_id: expect.stringMatching(/^[0-9a-f]{16}$/),
        exists: true,
        private: true,
        secret: true,
        member: true,
        banned: false,
        role: 'owner',
        can_read: true,
        can_post: true,
        can_moderate: true,
      });
      expect(channelAccessSchema.strict().safeParse(res.body).error).toBeUndefined();
    });

    it('when the channel does not exist (or cannot), then exists is false and everything else is false or null', async () => {
      for (const name of [uniqueName('none'), 'bad%20name!']) {
        const res = await request(t.app)
          .get(`/internal/channels/${name}/access/roger`)
          .query({ admin: 'true' })
          .set('Authorization', serviceBearer('message-service', 'channel-service'));
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ ...missingChannelAccess(''), channel: expect.any(String) });
      }
    });

    it('when admin is neither true nor false, then it is 400', async () => {
      const res = await request(t.app)
        .get('/internal/channels/tech/access/roger')
        .query({ admin: 'yes' })
        .set('Authorization', serviceBearer('message-service', 'channel-service'));
      expect(res.status).toBe(400);
    });

    it('when there is no service token, or a user token, then it is 401', async () => {
      expect((await request(t.app).get('/internal/channels/tech/access/roger')).status).toBe(401);
      const user = await request(t.app)
        .get('/internal/channels/tech/access/roger')
        .set('Authorization', bearer('roger', ['user', 'admin']));
      expect(user.status).toBe(401);
      expect((await request(t.app).get('/internal/users/roger/channels').set('Authorization', bearer('roger'))).status).toBe(401);
      expect((await request(t.app).get('/internal/channels?names=tech').set('Authorization', bearer('roger'))).status).toBe(401);
    });
  });

  describe('GET /internal/users/<pseudo>/channels', () => {
    it('when a user is in public, private and secret channels, then only the public ones are listed, by name', async () => {
      const user = uniqueName('Who');
      const owner = uniqueName();
      const base = uniqueName('w');
      const pub2 = await createChannel(t.app, owner, { name: `${base}-b` });
      const pub1 = await createChannel(t.app, owner, { name: `${base}-a` });
      const priv = await createChannel(t.app, user, { name: `${base}-p`, private: true });
      const sec = await createChannel(t.app, owner, { name: `${base}-s` });
      for (const c of [pub2, pub1, sec]) await join(t.app, c, user);
      await request(t.app).post(`/channel/${sec}/mode`).set('Authorization', bearer(owner)).send({ mode: '+s' }).expect(200);
      const res = await request(t.app)
        .get(`/internal/users/${user.toLowerCase()}/channels`)
        .set('Authorization', serviceBearer('user-service', 'channel-service'));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ pseudo: user.toLowerCase(), channels: [pub1, pub2] });
      expect(publicChannelsOfUserSchema.strict().safeParse(res.body).error).toBeUndefined();
      expect(priv).toBe(`${base}-p`);
    });

    it('when scope=all is asked, then private and secret memberships are listed too; scope=public is the default', async () => {
      const user = uniqueName('All');
      const owner = uniqueName();
      const base = uniqueName('s');
      const pub = await createChannel(t.app, owner, { name: `${base}-a` });
      const priv = await createChannel(t.app, user, { name: `${base}-p`, private: true });
      const sec = await createChannel(t.app, owner, { name: `${base}-s` });
      const other = await createChannel(t.app, owner, { name: `${base}-x` });
      for (const c of [pub, sec]) await join(t.app, c, user);
      await request(t.app).post(`/channel/${sec}/mode`).set('Authorization', bearer(owner)).send({ mode: '+s' }).expect(200);
      const all = await request(t.app)
        .get(`/internal/users/${user}/channels`)
        .query({ scope: 'all' })
        .set('Authorization', serviceBearer('realtime-service', 'channel-service'));
      expect(all.status).toBe(200);
      expect(all.body).toEqual({ pseudo: user, channels: [pub, priv, sec] });
      expect(all.body.channels).not.toContain(other);
      const pub1 = await request(t.app)
        .get(`/internal/users/${user}/channels`)
        .query({ scope: 'public' })
        .set('Authorization', serviceBearer('realtime-service', 'channel-service'));
      expect(pub1.body.channels).toEqual([pub]);
    });

    it('when scope is neither public nor all, then it is 400 invalid_query', async () => {
      const res = await request(t.app)
        .get('/internal/users/roger/channels')
        .query({ scope: 'secret' })
        .set('Authorization', serviceBearer('realtime-service', 'channel-service'));
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'scope must be public or all', code: 'invalid_query' });
    });

    it('when the user is in no channel, then the list is empty', async () => {
      const res = await request(t.app)
        .get(`/internal/users/${uniqueName()}/channels`)
        .set('Authorization', serviceBearer('user-service', 'channel-service'));
      expect(res.body.channels).toEqual([]);
    });
  });

  describe('GET /internal/users/<pseudo>/memberships', () => {
    it('when a user is in public, private and secret channels, then all are listed with the role, and a user token is 401', async () => {
      const user = uniqueName('Mem');
      const owner = uniqueName();
      const base = uniqueName('m');
      const pub = await createChannel(t.app, owner, { name: `${base}-a` });
      const own = await createChannel(t.app, user, { name: `${base}-o`, private: true });
      const sec = await createChannel(t.app, owner, { name: `${base}-s` });
      for (const c of [pub, sec]) await join(t.app, c, user);
      await request(t.app).post(`/channel/${sec}/mode`).set('Authorization', bearer(owner)).send({ mode: '+s' }).expect(200);
      const res = await request(t.app)
        .get(`/internal/users/${user}/memberships`)
        .set('Authorization', serviceBearer('irc-service', 'channel-service'));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        pseudo: user,
        channels: [
          { name: pub, role: 'member' },
          { name: own, role: 'owner' },
          { name: sec, role: 'member' },
        ],
      });
      expect(userMembershipsSchema.strict().safeParse(res.body).error).toBeUndefined();
      const empty = await request(t.app)
        .get(`/internal/users/${uniqueName()}/memberships`)
        .set('Authorization', serviceBearer('irc-service', 'channel-service'));
      expect(empty.body.channels).toEqual([]);
      expect((await request(t.app).get(`/internal/users/${user}/memberships`).set('Authorization', bearer(user))).status).toBe(401);
    });
  });

  describe('GET /internal/channels?names=', () => {
    it('when names mix public, private, secret, unknown and invalid ones, then the existing ones come back with their visibility', async () => {
      const owner = uniqueName();
      const pub = await createChannel(t.app, owner);
      const priv = await createChannel(t.app, owner, { private: true });
      const sec = await createChannel(t.app, owner);
      await request(t.app).post(`/channel/${sec}/mode`).set('Authorization', bearer(owner)).send({ mode: '+s' }).expect(200);
      const names = [pub.toUpperCase(), `#${priv}`, sec, uniqueName('none'), 'bad name!', pub].join(',');
      const res = await request(t.app)
        .get('/internal/channels')
        .query({ names })
        .set('Authorization', serviceBearer('stats-service', 'channel-service'));
      expect(res.status).toBe(200);
      const byName = Object.fromEntries(res.body.channels.map((c: { name: string }) => [c.name, c]));
      expect(Object.keys(byName).sort()).toEqual([pub, priv, sec].sort());
      expect(channelVisibilityListSchema.strict().safeParse(res.body).error).toBeUndefined();
      expect(byName[pub]).toEqual({ name: pub, channel_id: expect.stringMatching(/^[0-9a-f]{16}$/), private: false, secret: false });
      expect(byName[priv]).toMatchObject({ private: true, secret: false });
      expect(byName[sec]).toMatchObject({ private: false, secret: true });
    });

    it('when names is missing or holds more than 500 names, then it is 400', async () => {
      expect(
        (await request(t.app).get('/internal/channels').set('Authorization', serviceBearer('stats-service', 'channel-service'))).status,
      ).toBe(400);
      const many = Array.from({ length: 501 }, (_, i) => `c${i}`).join(',');
      expect(
        (
          await request(t.app)
            .get('/internal/channels')
            .query({ names: many })
            .set('Authorization', serviceBearer('stats-service', 'channel-service'))
        ).status,
      ).toBe(400);
      const max = Array.from({ length: 500 }, (_, i) => `c${i}`).join(',');
      expect(
        (
          await request(t.app)
            .get('/internal/channels')
            .query({ names: max })
            .set('Authorization', serviceBearer('stats-service', 'channel-service'))
        ).status,
      ).toBe(200);
    });
  });
});
