import nock from 'nock';
import request from 'supertest';
import { bearer, freePort, testDatabases, uniqueName, waitUntil } from '@canaduck/testing';
import { access, changesOf, channelIdOf, config, createChannel, join, openApp, startApp, type TestApp, usersOf } from './support';
import { startUserStreamFeed, type UserStreamFeed } from './user-stream-feed';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** user-service's `user.deleted`, read from its real feed, applied to the channels (structures.md 6.2). */
describe.each(testDatabases())('account deletion (%s)', (kind) => {
  let feed: UserStreamFeed;
  let t: TestApp;
  beforeAll(async () => {
    feed = await startUserStreamFeed(kind);
    t = await startApp(kind, feed.url);
    await t.accountDeletions.start();
  });
  afterAll(async () => {
    await t.close();
    await feed.close();
  });
  afterEach(() => nock.cleanAll());

  const post = (path: string, who: string, body: object = {}) => request(t.app).post(path).set('Authorization', bearer(who)).send(body);
  /** Deletes the account in user-service's stream and waits until channel-service applied it. */
  const deleteAccount = async (pseudo: string) => {
    const seq = await feed.deleted(pseudo);
    await waitUntil(async () => (await t.accountDeletions.appliedThrough()) >= seq, `user event ${seq} is applied`);
    return seq;
  };
  /** Joins one after the other, a few ms apart, so that "who joined first" is never a tie. */
  const joinInOrder = async (name: string, ...pseudos: string[]) => {
    for (const p of pseudos) {
      await join(t.app, name, p);
      await sleep(5);
    }
  };
  /** The last `last` of a channel's `count` events. */
  const lastChanges = async (name: string, count: number, last: number) => (await changesOf(t.app, name, count)).slice(count - last);
  /** The events of an owner's deletion when `heir` takes over: the handover, then the former owner's part. */
  const handedOver = async (name: string, owner: string, heir: string) => {
    const common = { channel: name, channel_id: await channelIdOf(t.app, name), by: null };
    return [
      ['channel.owner_changed', { ...common, owner: heir, previous_owner: owner }],
      ['channel.member_parted', { ...common, pseudo: owner, role: 'member', reason: 'Account deleted' }],
    ];
  };
  const promote = async (name: string, owner: string, pseudo: string) =>
    expect((await post(`/channel/${name}/moderators`, owner, { pseudo })).status).toBe(200);

  it('when a member and moderator is deleted, then they part each channel (member_parted by the system), lose their invitations, and bans naming them stay', async () => {
    const [owner, gone] = [uniqueName('Own'), uniqueName('Gone')];
    const [modded, plain, invitedTo, bannedFrom] = await Promise.all([
      createChannel(t.app, owner),
      createChannel(t.app, owner),
      createChannel(t.app, owner, { private: true }),
      createChannel(t.app, owner),
    ]);
    await join(t.app, modded, gone);
    await promote(modded, owner, gone);
    await join(t.app, plain, gone);
    nock(feed.url, { allowUnmocked: true })
      .get(`/internal/users/${gone}`)
      .reply(200, { pseudo: gone, roles: ['user'], status: 'online' });
    expect((await post(`/channel/${invitedTo}/invite`, owner, { pseudo: gone })).status).toBe(200);
    expect((await post(`/channel/${bannedFrom}/ban`, owner, { pseudo: gone, reason: 'spam' })).status).toBe(200);

    await deleteAccount(gone.toLowerCase());

    expect(await usersOf(t.app, modded)).toEqual([{ pseudo: owner, role: 'owner' }]);
    expect(await usersOf(t.app, plain)).toEqual([{ pseudo: owner, role: 'owner' }]);
    expect(await config(t.app, modded)).toMatchObject({ owner, moderators: [] });
    expect(await config(t.app, invitedTo)).toMatchObject({ invited: [] });
    expect(await config(t.app, bannedFrom)).toMatchObject({ banned: [expect.objectContaining({ pseudo: gone, reason: 'spam' })] });
    expect(await access(t.app, plain, gone)).toMatchObject({ member: false, role: null });
    const [moddedId, plainId] = await Promise.all([channelIdOf(t.app, modded), channelIdOf(t.app, plain)]);
    expect((await changesOf(t.app, modded, 5)).slice(4)).toEqual([
      [
        'channel.member_parted',
        { channel: modded, channel_id: moddedId, by: null, pseudo: gone, role: 'moderator', reason: 'Account deleted' },
      ],
    ]);
    expect((await changesOf(t.app, plain, 4)).slice(3)).toEqual([
      ['channel.member_parted', { channel: plain, channel_id: plainId, by: null, pseudo: gone, role: 'member', reason: 'Account deleted' }],
    ]);
  });

  it('when an owner is deleted, then the moderator who joined first becomes owner (channel.owner_changed), then the owner parts', async () => {
    const [owner, member, firstMod, laterMod] = [uniqueName('Own'), uniqueName('Mem'), uniqueName('ModA'), uniqueName('ModB')];
    const name = await createChannel(t.app, owner);
    await joinInOrder(name, member, firstMod, laterMod);
    // Named in the other order: what counts is who has been in the channel longest.
    await promote(name, owner, laterMod);
    await promote(name, owner, firstMod);

    await deleteAccount(owner);

    expect(await lastChanges(name, 9, 2)).toEqual(await handedOver(name, owner, firstMod));
    expect(await config(t.app, name)).toMatchObject({ owner: firstMod, moderators: [laterMod], members_count: 3 });
    expect(await access(t.app, name, firstMod)).toMatchObject({ role: 'owner', can_moderate: true });
    // The new owner has an owner's rights: deleting the channel.
    expect((await request(t.app).delete(`/channel/${name}`).set('Authorization', bearer(firstMod))).status).toBe(200);
  });

  it('when an owner without moderators is deleted, then the member who joined first becomes owner', async () => {
    const [owner, first, second] = [uniqueName('Own'), uniqueName('Zed'), uniqueName('Amy')];
    const name = await createChannel(t.app, owner);
    await joinInOrder(name, first, second);

    await deleteAccount(owner);

    expect(await lastChanges(name, 6, 2)).toEqual(await handedOver(name, owner, first));
    expect(await usersOf(t.app, name)).toEqual([
      { pseudo: first, role: 'owner' },
      { pseudo: second, role: 'member' },
    ]);
  });

  it('when the last member of a channel is deleted, then the channel is deleted (channel.deleted) and its name is free again', async () => {
    const owner = uniqueName('Own');
    const name = await createChannel(t.app, owner);
    const id = await channelIdOf(t.app, name);

    await deleteAccount(owner);

    expect((await changesOf(t.app, name, 3)).slice(2)).toEqual([['channel.deleted', { channel: name, channel_id: id, by: null }]]);
    expect((await request(t.app).get(`/channel/${name}/config`).set('Authorization', bearer(uniqueName()))).status).toBe(404);
    expect(await createChannel(t.app, uniqueName('New'), { name })).toBe(name);
  });

  it('when the same deletion comes twice (two events, or one redelivered), then the second changes nothing and writes nothing', async () => {
    const [owner, gone, heir] = [uniqueName('Own'), uniqueName('Gone'), uniqueName('Heir')];
    const [joined, owned] = [await createChannel(t.app, owner), await createChannel(t.app, gone)];
    await join(t.app, joined, gone);
    await join(t.app, owned, heir);
    const seq = await deleteAccount(gone);
    const before = {
      joined: await changesOf(t.app, joined, 4),
      owned: await changesOf(t.app, owned, 5),
      users: [await usersOf(t.app, joined), await usersOf(t.app, owned)],
    };

    await deleteAccount(gone);
    const redelivered = await t.accountDeletions.apply([
      { service: 'user', seq, type: 'user.deleted', at: new Date().toISOString(), data: { pseudo: gone } },
    ]);

    expect(redelivered).toEqual([]);
    await sleep(100);
    expect({
      joined: await changesOf(t.app, joined, 4),
      owned: await changesOf(t.app, owned, 5),
      users: [await usersOf(t.app, joined), await usersOf(t.app, owned)],
    }).toEqual(before);
  });

  it('when channel-service restarts, then it resumes after its stored cursor: applied deletions are not replayed, missed ones are applied', async () => {
    const [owner, early, late] = [uniqueName('Own'), uniqueName('Early'), uniqueName('Late')];
    const name = await createChannel(t.app, owner);
    await joinInOrder(name, early, late);
    const applied = await deleteAccount(early);
    // Stands for any change made after the deletion was applied: a replay from the start would undo it.
    await join(t.app, name, early);
    await t.accountDeletions.stop();
    const missed = await feed.deleted(late);

    const restarted = openApp(t.db, feed.url);
    try {
      expect(await restarted.accountDeletions.appliedThrough()).toBe(applied);
      await restarted.accountDeletions.start();
      await waitUntil(async () => (await restarted.accountDeletions.appliedThrough()) >= missed, 'the missed deletion is applied');
      expect((await usersOf(t.app, name)).map((u) => u.pseudo)).toEqual([owner, early]);
    } finally {
      await restarted.close();
      await t.accountDeletions.start();
    }
  });

  it('when user-service is down, then the follower retries without crashing, channel routes keep answering, and the deletion applies once it is back', async () => {
    const port = await freePort();
    const app = await startApp(kind, `http://127.0.0.1:${port}`);
    let later: UserStreamFeed | undefined;
    try {
      await app.accountDeletions.start();
      const [owner, gone] = [uniqueName('Own'), uniqueName('Gone')];
      const name = await createChannel(app.app, owner);
      await join(app.app, name, gone);
      await sleep(300);
      expect((await request(app.app).get(`/channel/${name}/users`).set('Authorization', bearer(owner))).status).toBe(200);
      expect((await request(app.app).get('/health')).status).toBe(200);

      later = await startUserStreamFeed(kind, port);
      const seq = await later.deleted(gone);
      await waitUntil(async () => (await app.accountDeletions.appliedThrough()) >= seq, 'the deletion is applied', 15_000);
      expect(await usersOf(app.app, name)).toEqual([{ pseudo: owner, role: 'owner' }]);
    } finally {
      await app.close();
      await later?.close();
    }
  });
});
