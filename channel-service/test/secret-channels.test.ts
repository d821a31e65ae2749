import nock from 'nock';
import request from 'supertest';
import { bearer, testDatabases, uniqueName } from '@canaduck/testing';
import { createChannel, join, useApp } from './support';

type Call = (app: ReturnType<typeof request>, auth: string, name: string) => request.Test;

/** Every route that names a channel, read or write, called the same way on the secret name and the unknown one. */
const routes: Array<{ name: string; call: Call }> = [
  { name: 'GET /channel/<name>', call: (a, auth, n) => a.get(`/channel/${n}`).set('Authorization', auth) },
  { name: 'GET /channel/<name>/config', call: (a, auth, n) => a.get(`/channel/${n}/config`).set('Authorization', auth) },
  { name: 'GET /channel/<name>/users', call: (a, auth, n) => a.get(`/channel/${n}/users`).set('Authorization', auth) },
  { name: 'PATCH /channel/<name>', call: (a, auth, n) => a.patch(`/channel/${n}`).set('Authorization', auth).send({ topic: 'x' }) },
  {
    name: 'POST /channel/<name>/topic',
    call: (a, auth, n) => a.post(`/channel/${n}/topic`).set('Authorization', auth).send({ topic: 'x' }),
  },
  { name: 'POST /channel/<name>/mode', call: (a, auth, n) => a.post(`/channel/${n}/mode`).set('Authorization', auth).send({ mode: '-s' }) },
  { name: 'DELETE /channel/<name>', call: (a, auth, n) => a.delete(`/channel/${n}`).set('Authorization', auth) },
  { name: 'POST /channel/<name>/join', call: (a, auth, n) => a.post(`/channel/${n}/join`).set('Authorization', auth) },
  { name: 'POST /channel/<name>/part', call: (a, auth, n) => a.post(`/channel/${n}/part`).set('Authorization', auth) },
  {
    name: 'POST /channel/<name>/invite',
    call: (a, auth, n) => a.post(`/channel/${n}/invite`).set('Authorization', auth).send({ pseudo: 'someone' }),
  },
  {
    name: 'POST /channel/<name>/ban',
    call: (a, auth, n) => a.post(`/channel/${n}/ban`).set('Authorization', auth).send({ pseudo: 'someone', reason: 'x' }),
  },
  { name: 'DELETE /channel/<name>/ban/<pseudo>', call: (a, auth, n) => a.delete(`/channel/${n}/ban/someone`).set('Authorization', auth) },
  {
    name: 'POST /channel/<name>/kick',
    call: (a, auth, n) => a.post(`/channel/${n}/kick`).set('Authorization', auth).send({ pseudo: 'someone' }),
  },
  {
    name: 'POST /channel/<name>/moderators',
    call: (a, auth, n) => a.post(`/channel/${n}/moderators`).set('Authorization', auth).send({ pseudo: 'someone' }),
  },
  {
    name: 'DELETE /channel/<name>/moderators/<pseudo>',
    call: (a, auth, n) => a.delete(`/channel/${n}/moderators/someone`).set('Authorization', auth),
  },
];

describe.each(testDatabases())('secret channels on every channel route (%s)', (kind) => {
  const t = useApp(kind);
  afterEach(() => nock.cleanAll());

  async function setup() {
    const owner = uniqueName('own');
    const member = uniqueName('mem');
    const name = await createChannel(t.app, owner);
    await join(t.app, name, member);
    expect((await request(t.app).post(`/channel/${name}/mode`).set('Authorization', bearer(owner)).send({ mode: '+s' })).status).toBe(200);
    const banned = uniqueName('ban');
    await request(t.app).post(`/channel/${name}/ban`).set('Authorization', bearer(owner)).send({ pseudo: banned, reason: 'x' }).expect(200);
    return { name, owner, member, unknown: uniqueName('none'), callers: [uniqueName('out'), banned] };
  }

  test.each(routes)('when a caller who cannot read the secret channel calls $name, then the 404 of an unknown channel', async (route) => {
    const { name, unknown, callers } = await setup();
    for (const who of callers) {
      const forUnknown = await route.call(request(t.app), bearer(who), unknown);
      const forSecret = await route.call(request(t.app), bearer(who), name);
      expect({ status: forUnknown.status, body: forUnknown.body }).toEqual({
        status: 404,
        body: { error: `channel #${unknown} not found`, code: 'channel_not_found' },
      });
      expect({ status: forSecret.status, body: forSecret.body }).toEqual({
        status: 404,
        body: { error: `channel #${name} not found`, code: 'channel_not_found' },
      });
    }
  });

  test('when a member or an invited user acts on the secret channel, then the usual answers come back', async () => {
    const { name, owner, member } = await setup();
    const part = await request(t.app).post(`/channel/${name}/part`).set('Authorization', bearer(member));
    expect(part.status).toBe(200);
    const guest = uniqueName('guest');
    nock('http://user-service.test')
      .get(/\/internal\/users\//)
      .reply(200, { pseudo: guest, roles: ['user'], status: 'online' });
    await request(t.app).post(`/channel/${name}/invite`).set('Authorization', bearer(owner)).send({ pseudo: guest }).expect(200);
    const joined = await request(t.app).post(`/channel/${name}/join`).set('Authorization', bearer(guest));
    expect(joined.status).toBe(200);
    const notMod = await request(t.app).post(`/channel/${name}/kick`).set('Authorization', bearer(guest)).send({ pseudo: owner });
    expect(notMod.status).toBe(403);
    expect(notMod.body.code).toBe('not_moderator');
  });
});
