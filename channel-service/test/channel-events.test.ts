import request from 'supertest';
import { bearer, testDatabases, uniqueName } from '@canaduck/testing';
import { admin, changesOf, channelIdOf, createChannel, eventsOf, join, startApp, usersOf, type TestApp } from './support';

/** Events of the channel lifecycle and settings: created, deleted, topic, modes, config. */
describe.each(testDatabases())('channel lifecycle and settings events (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp(kind);
  });
  afterAll(async () => t.close());

  const post = (path: string, who: string, body: object) => request(t.app).post(path).set('Authorization', bearer(who)).send(body);

  it('when a channel is created, then channel.created and the owner joining are in the feed, in the channel stream', async () => {
    const owner = uniqueName('Roger');
    const name = await createChannel(t.app, owner, { private: true, topic: 'dev talk' });
    const id = await channelIdOf(t.app, name);
    const events = await eventsOf(t.app, name, 2);
    expect(events.map((e) => [e.type, e.data])).toEqual([
      [
        'channel.created',
        { channel: name, channel_id: id, by: owner, owner, topic: 'dev talk', modes: ['i', 'n', 't'], private: true, secret: false },
      ],
      ['channel.member_joined', { channel: name, channel_id: id, by: owner, pseudo: owner, role: 'owner', invited: false }],
    ]);
    expect(events[0].service).toBe('channel');
    expect(events[1].seq).toBe(events[0].seq + 1);
    expect(new Date(events[0].at).toISOString()).toBe(events[0].at);
  });

  it('when the topic changes, then channel.topic_changed and channel.config_changed; the same topic again writes nothing', async () => {
    const owner = uniqueName();
    const name = await createChannel(t.app, owner);
    const id = await channelIdOf(t.app, name);
    expect((await post(`/channel/${name}/topic`, owner, { topic: 'new topic' })).status).toBe(200);
    expect((await post(`/channel/${name}/topic`, owner, { topic: 'new topic' })).status).toBe(200);
    // A later change: once its events are in, the repeated topic would be too.
    expect((await post(`/channel/${name}/mode`, owner, { mode: '+r' })).status).toBe(200);
    const changes = await changesOf(t.app, name, 6);
    expect(changes.slice(2, 4)).toEqual([
      ['channel.topic_changed', { channel: name, channel_id: id, by: owner, topic: 'new topic' }],
      [
        'channel.config_changed',
        { channel: name, channel_id: id, by: owner, topic: 'new topic', modes: ['n', 't'], private: false, secret: false },
      ],
    ]);
    expect(changes.slice(4).map(([type]) => type)).toEqual(['channel.modes_changed', 'channel.config_changed']);
  });

  it('when modes change, then channel.modes_changed says what was set and unset; a mode already set writes nothing', async () => {
    const owner = uniqueName();
    const name = await createChannel(t.app, owner);
    const id = await channelIdOf(t.app, name);
    expect((await post(`/channel/${name}/mode`, owner, { mode: '+rs-t' })).status).toBe(200);
    expect((await post(`/channel/${name}/mode`, owner, { mode: '+r' })).status).toBe(200);
    expect((await post(`/channel/${name}/topic`, owner, { topic: 'marker' })).status).toBe(200);
    const changes = await changesOf(t.app, name, 6);
    expect(changes.slice(2, 4)).toEqual([
      [
        'channel.modes_changed',
        {
          channel: name,
          channel_id: id,
          by: owner,
          modes: ['n', 'r', 's'],
          added: ['r', 's'],
          removed: ['t'],
          private: false,
          secret: true,
        },
      ],
      [
        'channel.config_changed',
        { channel: name, channel_id: id, by: owner, topic: '', modes: ['n', 'r', 's'], private: false, secret: true },
      ],
    ]);
    expect(changes[4]).toEqual(['channel.topic_changed', { channel: name, channel_id: id, by: owner, topic: 'marker' }]);
  });

  it('when PATCH changes topic, modes and private at once, then its three events follow each other in one commit', async () => {
    const owner = uniqueName();
    const name = await createChannel(t.app, owner);
    const moderator = admin();
    const res = await request(t.app)
      .patch(`/channel/${name}`)
      .set('Authorization', moderator)
      .send({ topic: 't2', mode: '-n', private: true });
    expect(res.status).toBe(200);
    const events = await eventsOf(t.app, name, 5);
    expect(events.slice(2).map((e) => [e.type, e.data.by])).toEqual([
      ['channel.topic_changed', expect.stringMatching(/^admin/)],
      ['channel.modes_changed', expect.stringMatching(/^admin/)],
      ['channel.config_changed', expect.stringMatching(/^admin/)],
    ]);
    expect(events[3].data).toMatchObject({ modes: ['i', 't'], added: ['i'], removed: ['n'], private: true });
    expect(events.slice(2).map((e) => e.seq)).toEqual([events[2].seq, events[2].seq + 1, events[2].seq + 2]);
    expect(new Set(events.slice(2).map((e) => e.at)).size).toBe(1);
  });

  it('when a channel is deleted and created again, then channel.deleted names the old id and channel.created the new one', async () => {
    const owner = uniqueName();
    const name = await createChannel(t.app, owner);
    const oldId = await channelIdOf(t.app, name);
    expect((await request(t.app).delete(`/channel/${name}`).set('Authorization', bearer(owner))).status).toBe(200);
    const again = await request(t.app).post('/channel').set('Authorization', bearer(owner)).send({ name });
    expect(again.status).toBe(201);
    const newId = await channelIdOf(t.app, name);
    const changes = await changesOf(t.app, name, 5);
    expect(changes.slice(2)).toEqual([
      ['channel.deleted', { channel: name, channel_id: oldId, by: owner }],
      ['channel.created', expect.objectContaining({ channel_id: newId, by: owner })],
      ['channel.member_joined', expect.objectContaining({ channel_id: newId, pseudo: owner, role: 'owner' })],
    ]);
    expect(newId).not.toBe(oldId);
  });

  it('when a change is refused (409, 403, 422), then it writes no event', async () => {
    const owner = uniqueName();
    const name = await createChannel(t.app, owner);
    const outsider = uniqueName();
    expect((await post('/channel', outsider, { name })).status).toBe(409);
    expect((await post(`/channel/${name}/mode`, outsider, { mode: '+r' })).status).toBe(403);
    expect((await post(`/channel/${name}/topic`, outsider, { topic: 'mine' })).status).toBe(403);
    expect((await post(`/channel/${name}/mode`, owner, { mode: '+x' })).status).toBe(422);
    expect((await request(t.app).delete(`/channel/${name}`).set('Authorization', bearer(outsider))).status).toBe(403);
    await join(t.app, name, outsider);
    expect((await changesOf(t.app, name, 3)).map(([type, data]) => [type, data.by])).toEqual([
      ['channel.created', owner],
      ['channel.member_joined', owner],
      ['channel.member_joined', outsider],
    ]);
  });

  it('when a secret channel changes, then its events are in the stream too (consumers filter by access)', async () => {
    const owner = uniqueName();
    const name = await createChannel(t.app, owner);
    expect((await post(`/channel/${name}/mode`, owner, { mode: '+s' })).status).toBe(200);
    const guest = uniqueName();
    // A secret channel is joined by invitation (or by an admin): others get its 404.
    await request(t.app).post(`/channel/${name}/join`).set('Authorization', admin(guest)).expect(200);
    const changes = await changesOf(t.app, name, 5);
    expect(changes.slice(2).map(([type, data]) => [type, data.secret ?? data.pseudo])).toEqual([
      ['channel.modes_changed', true],
      ['channel.config_changed', true],
      ['channel.member_joined', guest],
    ]);
  });

  it('when the outbox cannot be written, then the change is rolled back with it (an event and its change commit together)', async () => {
    const owner = uniqueName();
    const name = await createChannel(t.app, owner);
    await eventsOf(t.app, name, 2);
    const user = uniqueName();
    await t.db.knex.schema.renameTable('outbox_events', 'outbox_events_away');
    try {
      expect((await post(`/channel/${name}/join`, user, {})).status).toBe(500);
      expect((await post(`/channel/${name}/topic`, owner, { topic: 'lost' })).status).toBe(500);
    } finally {
      await t.db.knex.schema.renameTable('outbox_events_away', 'outbox_events');
    }
    expect((await usersOf(t.app, name)).map((u) => u.pseudo)).toEqual([owner]);
    expect((await request(t.app).get(`/channel/${name}/config`)).body.topic).toBe('');
    await join(t.app, name, user);
    expect((await changesOf(t.app, name, 3)).map(([type, data]) => [type, data.pseudo])).toEqual([
      ['channel.created', undefined],
      ['channel.member_joined', owner],
      ['channel.member_joined', user],
    ]);
  });
});
