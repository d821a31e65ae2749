import request from 'supertest';
import type { Express } from 'express';
import { bearer, testDatabases, waitUntil } from '@canaduck/testing';
import { FakeServices, catchUp, startService, type StatsWorld } from './support';

const admin = bearer('boss', ['user', 'admin']);

describe.each(testDatabases())('event feed (%s)', (kind) => {
  let world: StatsWorld;
  let app: Express;
  let fake: FakeServices;

  beforeEach(async () => {
    world = await startService(kind, { batchSize: 4 });
    ({ app, fake } = world);
  });
  afterEach(() => world.close());
  const get = (path: string, auth?: string) => (auth ? request(app).get(path).set('Authorization', auth) : request(app).get(path));
  const channels = async () =>
    (await get('/stats/active-channels?limit=100')).body.channels as Array<{ channel: string; messages: number; last_message_at: string }>;
  const users = async () => (await get('/stats/messages-per-user?limit=100')).body.users as Array<{ pseudo: string; messages: number }>;
  const snapshot = async () => ({
    channels: (await get('/stats/active-channels?limit=100&include_private=true', admin)).body,
    hourly: (await get('/stats/hourly-activity?hours=168&include_private=true', admin)).body,
    users: (await get('/stats/messages-per-user?limit=100&include_private=true', admin)).body,
    top: (await get('/stats/top-reacted-messages?limit=100&include_private=true', admin)).body,
  });

  it('when nothing was applied yet, then stats answer empty lists with as_of null', async () => {
    const res = await get('/stats/messages-per-user');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ users: [], limit: 10, as_of: null });
  });

  it('when the feed holds several pages, then the follower reads them one after the other and as_of is the last event time', async () => {
    fake.channel('tech');
    for (let i = 1; i <= 10; i++)
      fake.created(i, 'roger', { channel: 'tech' }, { at: new Date(Date.UTC(2026, 10, 24, 17, 0, i)).toISOString() });
    expect(await catchUp(world.poller)).toBe(true);
    // Pages of 4, 4, 2, then long polls with nothing new.
    expect(fake.feedCalls).toBeGreaterThanOrEqual(4);
    expect(await channels()).toEqual([{ channel: 'tech', messages: 10, last_message_at: expect.any(String) }]);
    expect((await get('/stats/active-channels')).body.as_of).toBe('2026-11-24T17:00:10.000Z');
  });

  it('when pages overlap or the whole feed is replayed, then nothing changes', async () => {
    fake.channel('tech');
    for (let i = 1; i <= 6; i++) fake.created(i, i % 2 ? 'roger' : 'ginette', { channel: 'tech' });
    fake.react(1, 'marcel');
    fake.react(2, 'marcel');
    fake.react(2, 'roger');
    fake.push('message.deleted', { id: 3 });
    fake.overlap = 2;
    await catchUp(world.poller);
    const before = await snapshot();
    expect(before.users.users).toEqual([
      { pseudo: 'ginette', messages: 3 },
      { pseudo: 'roger', messages: 2 },
    ]);
    expect(before.top.messages.map((m: { id: number; reactions_count: number }) => [m.id, m.reactions_count])).toEqual([
      [2, 2],
      [1, 1],
    ]);
    const replay = await world.applier.apply(fake.events);
    expect(replay).toEqual(expect.objectContaining({ applied: 0, replayed: fake.events.length }));
    fake.overlap = 0;
    await catchUp(world.poller);
    expect(await snapshot()).toEqual(before);
  });

  it('when an event is malformed or of an unknown type, then it is skipped and the events after it still apply', async () => {
    fake.channel('tech');
    fake.created(1, 'roger', { channel: 'tech' });
    fake.push('message.created', { id: 'x', from: 42 });
    fake.push('message.teleported', { id: 1 });
    fake.push('reaction.added', { message_id: 1 });
    fake.events.push({ seq: 0, type: 'broken', at: 'never', data: null } as never);
    fake.created(2, 'roger', { channel: 'tech' });
    fake.react(2, 'ginette');
    await catchUp(world.poller);
    expect(await channels()).toEqual([{ channel: 'tech', messages: 2, last_message_at: expect.any(String) }]);
    expect((await get('/stats/top-reacted-messages')).body.messages.map((m: { id: number }) => m.id)).toEqual([2]);
  });

  it('when a message is edited and deleted, then texts, counts and the newest message time follow', async () => {
    fake.channel('tech');
    fake.created(1, 'roger', { channel: 'tech' }, { timestamp: '2026-11-24T10:00:00.000Z' });
    fake.created(2, 'roger', { channel: 'tech' }, { timestamp: '2026-11-24T11:00:00.000Z' });
    fake.react(1, 'ginette');
    fake.push('message.edited', { id: 1, text: 'edited text', edited_at: '2026-11-24T12:00:00.000Z' });
    fake.push('message.pinned', { id: 1, by: 'roger' });
    await catchUp(world.poller);
    expect((await get('/stats/top-reacted-messages')).body.messages).toEqual([
      { id: 1, channel: 'tech', from: 'roger', text: 'edited text', reactions_count: 1 },
    ]);
    expect((await channels())[0].last_message_at).toBe('2026-11-24T11:00:00.000Z');
    fake.push('message.deleted', { id: 2 });
    await catchUp(world.poller);
    expect(await channels()).toEqual([{ channel: 'tech', messages: 1, last_message_at: '2026-11-24T10:00:00.000Z' }]);
    fake.push('message.deleted', { id: 1 });
    await catchUp(world.poller);
    expect(await channels()).toEqual([]);
    expect(await users()).toEqual([]);
    expect((await get('/stats/top-reacted-messages')).body.messages).toEqual([]);
  });

  it('when message-service is down, then the routes still answer from the aggregates and /ready reports the feed', async () => {
    fake.channel('tech');
    const last = fake.created(1, 'roger', { channel: 'tech' });
    await catchUp(world.poller);
    fake.feedDown = true;
    fake.created(2, 'roger', { channel: 'tech' });
    expect(await catchUp(world.poller, 1500)).toBe(false);
    for (const route of ['active-channels', 'hourly-activity', 'messages-per-user', 'top-reacted-messages']) {
      const res = await get(`/stats/${route}`);
      expect(res.status).toBe(200);
      expect(res.body.as_of).toBe(last.at);
    }
    expect(await users()).toEqual([{ pseudo: 'roger', messages: 1 }]);
    const ready = await get('/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ database: true });
    expect(ready.body.feeds).toEqual(expect.objectContaining({ feed: 'unavailable', channels: 'ok' }));
    fake.feedDown = false;
    expect(await catchUp(world.poller)).toBe(true);
    expect(await users()).toEqual([{ pseudo: 'roger', messages: 2 }]);
    expect((await get('/ready')).body.feeds.feed).toBe('ok');
  });

  it('when channel-service is down, then the last known visibility is kept and never-seen channels stay hidden', async () => {
    fake.channel('tech');
    fake.channel('fresh');
    fake.created(1, 'roger', { channel: 'tech' });
    await catchUp(world.poller);
    fake.channelsDown = true;
    fake.created(2, 'roger', { channel: 'fresh' });
    fake.created(3, 'roger', { channel: 'tech' });
    await catchUp(world.poller);
    expect((await channels()).map((c) => [c.channel, c.messages])).toEqual([['tech', 2]]);
    expect((await get('/ready')).body.feeds.channels).toBe('unavailable');
    // Admins do not see unverified channels either: fail closed.
    const adminView = (await get('/stats/active-channels?include_private=true', admin)).body.channels;
    expect(adminView.map((c: { channel: string }) => c.channel)).toEqual(['tech']);
    fake.channelsDown = false;
    await new Promise((r) => setTimeout(r, 20));
    await catchUp(world.poller);
    expect((await channels()).map((c) => [c.channel, c.messages])).toEqual([
      ['tech', 2],
      ['fresh', 1],
    ]);
  });

  it('when a channel turns private, or is deleted and created again, then its old messages stop counting', async () => {
    fake.channel('tech');
    fake.channel('lab');
    fake.created(1, 'roger', { channel: 'tech' });
    fake.created(2, 'roger', { channel: 'lab' });
    await catchUp(world.poller);
    expect((await channels()).map((c) => c.channel).sort()).toEqual(['lab', 'tech']);

    fake.channel('lab', { private: true });
    fake.channels.delete('tech');
    await catchUp(world.poller);
    expect(await channels()).toEqual([]);

    fake.channel('tech', {}, 'tech-id2');
    fake.created(3, 'ginette', { channel: 'tech' });
    await catchUp(world.poller);
    expect((await channels()).map((c) => [c.channel, c.messages])).toEqual([['tech', 1]]);
    expect(await users()).toEqual([{ pseudo: 'ginette', messages: 1 }]);
  });

  it('when the follower is started then stopped, then it follows on its own and stops cleanly', async () => {
    fake.channel('tech');
    fake.created(1, 'roger', { channel: 'tech' });
    void world.poller.start();
    await waitUntil(async () => (await users()).length > 0, 'the timer loop has applied the event', 10_000);
    expect(await users()).toEqual([{ pseudo: 'roger', messages: 1 }]);
    await world.poller.stop();
    const calls = fake.feedCalls;
    await new Promise((r) => setTimeout(r, 1200));
    expect(fake.feedCalls).toBe(calls);
  });
});
