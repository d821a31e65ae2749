import request from 'supertest';
import { bearer, expiredToken, testDatabases, uniqueName } from '@canaduck/testing';
import { access, admin, config, createChannel, join, useApp } from './support';

describe.each(testDatabases())('channel routes (%s)', (kind) => {
  const t = useApp(kind);

  describe('POST /channel', () => {
    it('when a user creates a channel, then it is 201 with the config and the caller is owner and member', async () => {
      const owner = uniqueName('roger');
      const name = uniqueName('tech');
      const res = await request(t.app)
        .post('/channel')
        .set('Authorization', bearer(owner))
        .send({ name: `#${name.toUpperCase()}`, private: false, topic: 'dev talk 🦆' });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        name,
        private: false,
        topic: 'dev talk 🦆',
        owner,
        moderators: [],
        invited: [],
        banned: [],
        modes: ['n', 't'],
        members_count: 1,
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      });
      const users = await request(t.app).get(`/channel/${name}/users`);
      expect(users.body.users).toEqual([{ pseudo: owner, role: 'owner' }]);
    });

    it('when private is true, then mode i is set and private is true', async () => {
      const res = await request(t.app)
        .post('/channel')
        .set('Authorization', bearer(uniqueName()))
        .send({ name: uniqueName('p'), private: true });
      expect(res.status).toBe(201);
      expect(res.body.private).toBe(true);
      expect(res.body.modes).toEqual(['i', 'n', 't']);
      expect(res.body.topic).toBe('');
    });

    it('when the name is taken (whatever its case or #), then it is 409', async () => {
      const name = await createChannel(t.app, uniqueName());
      const res = await request(t.app)
        .post('/channel')
        .set('Authorization', bearer(uniqueName()))
        .send({ name: `#${name.toUpperCase()}`, private: false });
      expect(res.status).toBe(409);
      expect(res.body).toEqual({ error: `channel #${name} already exists`, code: 'channel_exists' });
    });

    it('when two creations of one name race, then one is 201 and the other 409', async () => {
      const name = uniqueName('race');
      const send = () => request(t.app).post('/channel').set('Authorization', bearer(uniqueName())).send({ name, private: false });
      const statuses = (await Promise.all([send(), send(), send()])).map((r) => r.status).sort();
      expect(statuses).toEqual([201, 409, 409]);
    });

    it('when there is no token, then it is 401', async () => {
      const res = await request(t.app).post('/channel').send({ name: uniqueName(), private: false });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('token_missing');
    });

    it('when the token is expired, then it is 401', async () => {
      const res = await request(t.app)
        .post('/channel')
        .set('Authorization', `Bearer ${expiredToken('roger')}`)
        .send({ name: uniqueName() });
      expect(res.status).toBe(401);
    });

    it.each([
      ['a name with forbidden characters', { name: 'dev talk!' }, 422],
      ['a name over 50 characters', { name: 'a'.repeat(51) }, 422],
      ['an empty name', { name: '' }, 422],
      ['a topic over 300 characters', { name: 'ok', topic: 'x'.repeat(301) }, 422],
      ['a topic with a newline', { name: 'ok', topic: 'a\nb' }, 422],
      ['no name', { private: true }, 400],
      ['a number as name', { name: 42 }, 400],
      ['a string as private', { name: 'ok', private: 'yes' }, 400],
    ])('when the body has %s, then it is %s', async (_what, body, status) => {
      const res = await request(t.app).post('/channel').set('Authorization', bearer(uniqueName())).send(body);
      expect(res.status).toBe(status);
      expect(typeof res.body.error).toBe('string');
    });

    it('when the body is malformed JSON, then it is 400', async () => {
      const res = await request(t.app)
        .post('/channel')
        .set('Authorization', bearer(uniqueName()))
        .set('Content-Type', 'application/json')
        .send('{"name":');
      expect(res.status).toBe(400);
    });
  });

  describe('GET /channel', () => {
    it('when channels are private or secret, then they are not listed; public ones are, with members_count', async () => {
      const owner = uniqueName();
      const prefix = uniqueName('l');
      const pub = await createChannel(t.app, owner, { name: `${prefix}-pub` });
      await createChannel(t.app, owner, { name: `${prefix}-priv`, private: true });
      await createChannel(t.app, owner, { name: `${prefix}-sec` });
      await request(t.app).post(`/channel/${prefix}-sec/mode`).set('Authorization', bearer(owner)).send({ mode: '+s' }).expect(200);
      await join(t.app, `${prefix}-pub`, uniqueName());
      const res = await request(t.app).get('/channel').query({ q: prefix });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        channels: [
          { name: `${prefix}-pub`, topic: '', private: false, modes: ['n', 't'], members_count: 2, created_at: expect.any(String) },
        ],
        offset: 0,
        limit: 50,
        next_offset: null,
      });
      expect(pub).toBe(`${prefix}-pub`);
    });

    it('when q holds _ or %, then they match literally', async () => {
      const base = uniqueName('w');
      await createChannel(t.app, uniqueName(), { name: `${base}_x` });
      await createChannel(t.app, uniqueName(), { name: `${base}ax` });
      const underscore = await request(t.app)
        .get('/channel')
        .query({ q: `${base}_` });
      expect(underscore.body.channels.map((c: { name: string }) => c.name)).toEqual([`${base}_x`]);
      const percent = await request(t.app)
        .get('/channel')
        .query({ q: `${base}%` });
      expect(percent.body.channels).toEqual([]);
    });

    it('when paging through, then pages follow each other and next_offset is null on the last', async () => {
      const base = uniqueName('pg');
      for (const i of [1, 2, 3]) await createChannel(t.app, uniqueName(), { name: `${base}-${i}` });
      const first = await request(t.app)
        .get('/channel')
        .query({ q: `#${base.toUpperCase()}`, limit: 2 });
      expect(first.body.channels.map((c: { name: string }) => c.name)).toEqual([`${base}-1`, `${base}-2`]);
      expect(first.body.next_offset).toBe(2);
      const second = await request(t.app).get('/channel').query({ q: base, limit: 2, offset: 2 });
      expect(second.body.channels.map((c: { name: string }) => c.name)).toEqual([`${base}-3`]);
      expect(second.body.next_offset).toBeNull();
    });

    it.each([{ limit: 0 }, { limit: 201 }, { offset: -1 }, { limit: 'abc' }])('when paging is %p, then it is 400', async (query) => {
      const res = await request(t.app).get('/channel').query(query);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('invalid_paging');
    });

    it('when a token is sent and it is bad, then even a read is 401', async () => {
      const res = await request(t.app).get('/channel').set('Authorization', 'Bearer a.b.c');
      expect(res.status).toBe(401);
    });
  });

  describe('reading a channel', () => {
    it('when anyone reads a public channel config, users or alias, then it is 200', async () => {
      const owner = uniqueName();
      const name = await createChannel(t.app, owner, { topic: 'hello' });
      const cfg = await request(t.app).get(`/channel/${name}/config`);
      expect(cfg.status).toBe(200);
      expect(cfg.body).toMatchObject({ name, topic: 'hello', owner, private: false });
      const alias = await request(t.app).get(`/channel/%23${name}`);
      expect(alias.body).toEqual(cfg.body);
      const users = await request(t.app).get(`/channel/${name}/users`).set('Authorization', bearer(uniqueName()));
      expect(users.status).toBe(200);
      expect(users.body).toEqual({ channel: name, users: [{ pseudo: owner, role: 'owner' }], offset: 0, limit: 200, next_offset: null });
    });

    it('when a non-member reads a private channel, then it is 403; members and admins may', async () => {
      const owner = uniqueName();
      const name = await createChannel(t.app, owner, { private: true });
      for (const path of [`/channel/${name}/config`, `/channel/${name}/users`, `/channel/${name}`]) {
        const anon = await request(t.app).get(path);
        expect(anon.status).toBe(403);
        expect(anon.body.code).toBe('channel_private');
        const outsider = await request(t.app).get(path).set('Authorization', bearer(uniqueName()));
        expect(outsider.status).toBe(403);
        expect((await request(t.app).get(path).set('Authorization', bearer(owner.toUpperCase()))).status).toBe(200);
        expect((await request(t.app).get(path).set('Authorization', admin())).status).toBe(200);
      }
    });

    it('when a non-member reads a secret channel, then it is 404 as if it did not exist', async () => {
      const owner = uniqueName();
      const name = await createChannel(t.app, owner);
      await request(t.app).post(`/channel/${name}/mode`).set('Authorization', bearer(owner)).send({ mode: '+s' }).expect(200);
      const res = await request(t.app).get(`/channel/${name}/config`).set('Authorization', bearer(uniqueName()));
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: `channel #${name} not found`, code: 'channel_not_found' });
      expect((await request(t.app).get(`/channel/${name}/config`).set('Authorization', bearer(owner))).status).toBe(200);
    });

    it('when the channel does not exist or the name is impossible, then it is 404', async () => {
      expect((await request(t.app).get(`/channel/${uniqueName('none')}/config`)).status).toBe(404);
      expect((await request(t.app).get('/channel/bad%20name!/users')).status).toBe(404);
    });
  });

  describe('DELETE /channel/<name>', () => {
    it('when a non-owner deletes, then it is 403 and the channel stays', async () => {
      const owner = uniqueName();
      const mod = uniqueName();
      const name = await createChannel(t.app, owner);
      await join(t.app, name, mod);
      await request(t.app).post(`/channel/${name}/moderators`).set('Authorization', bearer(owner)).send({ pseudo: mod }).expect(200);
      for (const who of [mod, uniqueName()]) {
        const res = await request(t.app).delete(`/channel/${name}`).set('Authorization', bearer(who));
        expect(res.status).toBe(403);
        expect(res.body.code).toBe('not_owner');
      }
      expect((await request(t.app).delete(`/channel/${name}`)).status).toBe(401);
      expect((await request(t.app).get(`/channel/${name}`)).status).toBe(200);
    });

    it('when the owner deletes, then it is gone with its members, and a re-creation gets a new channel_id', async () => {
      const owner = uniqueName();
      const member = uniqueName();
      const name = await createChannel(t.app, owner);
      await join(t.app, name, member);
      await request(t.app)
        .post(`/channel/${name}/ban`)
        .set('Authorization', bearer(owner))
        .send({ pseudo: 'spammer', reason: 'spam' })
        .expect(200);
      const before = await access(t.app, name, member);
      const res = await request(t.app).delete(`/channel/${name}`).set('Authorization', bearer(owner));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ result: `channel #${name} deleted` });
      expect((await request(t.app).get(`/channel/${name}`)).status).toBe(404);
      expect((await access(t.app, name, member)).exists).toBe(false);

      await createChannel(t.app, uniqueName(), { name });
      const after = await access(t.app, name, member);
      expect(after).toMatchObject({ exists: true, member: false });
      expect(after.channel_id).toMatch(/^[0-9a-f]{16}$/);
      expect(after.channel_id).not.toBe(before.channel_id);
      expect((await config(t.app, name)).banned).toEqual([]);
    });

    it("when an admin deletes someone else's channel, then it is 200", async () => {
      const name = await createChannel(t.app, uniqueName());
      expect((await request(t.app).delete(`/channel/${name}`).set('Authorization', admin())).status).toBe(200);
      expect((await request(t.app).delete(`/channel/${name}`).set('Authorization', admin())).status).toBe(404);
    });
  });

  it('when /openapi.json is read, then it documents every public and internal route', async () => {
    const res = await request(t.app).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths).sort()).toEqual(
      [
        '/channel',
        '/channel/{name}',
        '/channel/{name}/config',
        '/channel/{name}/users',
        '/channel/{name}/topic',
        '/channel/{name}/mode',
        '/channel/{name}/join',
        '/channel/{name}/part',
        '/channel/{name}/invite',
        '/channel/{name}/ban',
        '/channel/{name}/ban/{pseudo}',
        '/channel/{name}/kick',
        '/channel/{name}/moderators',
        '/channel/{name}/moderators/{pseudo}',
        '/internal/channels/{name}/access/{pseudo}',
        '/internal/users/{pseudo}/channels',
        '/internal/access/batch',
        '/internal/users/{pseudo}/memberships',
        '/internal/channels',
        '/internal/events',
      ].sort(),
    );
    expect(Object.keys(res.body.paths['/channel/{name}']).sort()).toEqual(['delete', 'get', 'patch']);
    // Every $ref points at a component that exists.
    const refs = [...JSON.stringify(res.body).matchAll(/"\$ref":"#\/components\/(\w+)\/(\w+)"/g)];
    expect(refs.length).toBeGreaterThan(20);
    for (const [, section, key] of refs)
      expect({ ref: `${section}/${key}`, found: !!res.body.components[section]?.[key] }).toEqual({ ref: `${section}/${key}`, found: true });
  });
});
