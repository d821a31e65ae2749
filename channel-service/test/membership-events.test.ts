import nock from 'nock';
import request from 'supertest';
import { bearer, testDatabases, uniqueName } from '@canaduck/testing';
import { changesOf, channelIdOf, createChannel, join, USER_SERVICE_URL, useAppWithFakeUserService } from './support';

/** Events of membership and local moderation: joins, parts, kicks, invitations, bans, moderators. */
describe.each(testDatabases())('membership and moderation events (%s)', (kind) => {
  const t = useAppWithFakeUserService(kind);

  const post = (path: string, who: string, body: object = {}) => request(t.app).post(path).set('Authorization', bearer(who)).send(body);
  const del = (path: string, who: string) => request(t.app).delete(path).set('Authorization', bearer(who));
  /** The events after the channel's creation (created, owner joined). */
  const after = async (name: string, count: number) => (await changesOf(t.app, name, count + 2)).slice(2);

  it('when a user joins, then channel.member_joined; joining again writes nothing', async () => {
    const name = await createChannel(t.app, uniqueName());
    const id = await channelIdOf(t.app, name);
    const user = uniqueName('Marcel');
    await join(t.app, name, user);
    await join(t.app, name, user.toLowerCase());
    const marker = uniqueName();
    await join(t.app, name, marker);
    expect(await after(name, 2)).toEqual([
      ['channel.member_joined', { channel: name, channel_id: id, by: user, pseudo: user, role: 'member', invited: false }],
      ['channel.member_joined', expect.objectContaining({ pseudo: marker })],
    ]);
  });

  it('when a user is invited and joins, then channel.member_invited (registered spelling) and a join that used it; inviting again writes nothing', async () => {
    const owner = uniqueName();
    const name = await createChannel(t.app, owner, { private: true });
    const id = await channelIdOf(t.app, name);
    const user = uniqueName('Gin');
    nock(USER_SERVICE_URL)
      .get(`/internal/users/${user.toLowerCase()}`)
      .times(2)
      .reply(200, { pseudo: user, roles: ['user'], status: 'online' });
    expect((await post(`/channel/${name}/invite`, owner, { pseudo: user.toLowerCase() })).status).toBe(200);
    expect((await post(`/channel/${name}/invite`, owner, { pseudo: user.toLowerCase() })).status).toBe(200);
    await join(t.app, name, user);
    expect(await after(name, 2)).toEqual([
      ['channel.member_invited', { channel: name, channel_id: id, by: owner, pseudo: user }],
      ['channel.member_joined', { channel: name, channel_id: id, by: user, pseudo: user, role: 'member', invited: true }],
    ]);
  });

  it('when members part, then channel.member_parted with the role they had and their part message; a refused part writes nothing', async () => {
    const owner = uniqueName();
    const name = await createChannel(t.app, owner);
    const id = await channelIdOf(t.app, name);
    const [mod, user] = [uniqueName(), uniqueName()];
    await join(t.app, name, mod);
    await join(t.app, name, user);
    expect((await post(`/channel/${name}/moderators`, owner, { pseudo: mod })).status).toBe(200);
    expect((await post(`/channel/${name}/part`, owner)).status).toBe(409);
    expect((await post(`/channel/${name}/part`, uniqueName())).status).toBe(404);
    expect((await post(`/channel/${name}/part`, mod)).status).toBe(200);
    expect((await post(`/channel/${name}/part`, user, { reason: 'off to \u0002bed\u0002 🌙' })).status).toBe(200);
    expect((await after(name, 5)).slice(3)).toEqual([
      ['channel.member_parted', { channel: name, channel_id: id, by: mod, pseudo: mod, role: 'moderator', reason: '' }],
      [
        'channel.member_parted',
        { channel: name, channel_id: id, by: user, pseudo: user, role: 'member', reason: 'off to \u0002bed\u0002 🌙' },
      ],
    ]);
  });

  it('when a member is kicked, then channel.member_kicked with the reason; kicking a non-member or the owner writes nothing', async () => {
    const owner = uniqueName();
    const name = await createChannel(t.app, owner);
    const id = await channelIdOf(t.app, name);
    const user = uniqueName('Kev');
    await join(t.app, name, user);
    expect((await post(`/channel/${name}/kick`, owner, { pseudo: uniqueName() })).status).toBe(404);
    expect((await post(`/channel/${name}/kick`, user, { pseudo: owner })).status).toBe(403);
    expect((await post(`/channel/${name}/kick`, owner, { pseudo: user.toLowerCase(), reason: 'calm down' })).status).toBe(200);
    expect((await post(`/channel/${name}/kick`, owner, { pseudo: user })).status).toBe(404);
    await join(t.app, name, user);
    expect(await after(name, 3)).toEqual([
      ['channel.member_joined', expect.objectContaining({ pseudo: user })],
      ['channel.member_kicked', { channel: name, channel_id: id, by: owner, pseudo: user, role: 'member', reason: 'calm down' }],
      ['channel.member_joined', expect.objectContaining({ pseudo: user })],
    ]);
  });

  it('when a pseudo is banned and unbanned, then member_banned (was_member) and member_unbanned; repeats and refusals write nothing', async () => {
    const owner = uniqueName();
    const name = await createChannel(t.app, owner);
    const id = await channelIdOf(t.app, name);
    const [user, stranger] = [uniqueName('Spam'), uniqueName()];
    await join(t.app, name, user);
    expect((await post(`/channel/${name}/ban`, user, { pseudo: owner })).status).toBe(403);
    expect((await post(`/channel/${name}/ban`, owner, { pseudo: user.toLowerCase(), reason: 'spam' })).status).toBe(200);
    expect((await post(`/channel/${name}/ban`, owner, { pseudo: user, reason: 'spam' })).status).toBe(200);
    expect((await post(`/channel/${name}/ban`, owner, { pseudo: user, reason: 'more spam' })).status).toBe(200);
    expect((await post(`/channel/${name}/join`, user)).status).toBe(403);
    expect((await post(`/channel/${name}/ban`, owner, { pseudo: stranger })).status).toBe(200);
    expect((await del(`/channel/${name}/ban/${user.toLowerCase()}`, owner)).status).toBe(200);
    expect((await del(`/channel/${name}/ban/${user}`, owner)).status).toBe(404);
    await join(t.app, name, user);
    const base = { channel: name, channel_id: id, by: owner };
    expect(await after(name, 6)).toEqual([
      ['channel.member_joined', expect.objectContaining({ pseudo: user })],
      ['channel.member_banned', { ...base, pseudo: user, reason: 'spam', was_member: true }],
      ['channel.member_banned', { ...base, pseudo: user, reason: 'more spam', was_member: false }],
      ['channel.member_banned', { ...base, pseudo: stranger, reason: '', was_member: false }],
      ['channel.member_unbanned', { ...base, pseudo: user }],
      ['channel.member_joined', expect.objectContaining({ pseudo: user })],
    ]);
  });

  it('when moderators are added and removed, then moderator_added and moderator_removed; repeats and refusals write nothing', async () => {
    const owner = uniqueName();
    const name = await createChannel(t.app, owner);
    const id = await channelIdOf(t.app, name);
    const user = uniqueName('Mod');
    await join(t.app, name, user);
    expect((await post(`/channel/${name}/moderators`, user, { pseudo: user })).status).toBe(403);
    expect((await post(`/channel/${name}/moderators`, owner, { pseudo: uniqueName() })).status).toBe(404);
    expect((await post(`/channel/${name}/moderators`, owner, { pseudo: user.toLowerCase() })).status).toBe(200);
    expect((await post(`/channel/${name}/moderators`, owner, { pseudo: user })).status).toBe(200);
    expect((await del(`/channel/${name}/moderators/${user.toLowerCase()}`, owner)).status).toBe(200);
    expect((await del(`/channel/${name}/moderators/${user}`, owner)).status).toBe(404);
    await join(t.app, name, uniqueName());
    expect((await after(name, 4)).slice(1, 3)).toEqual([
      ['channel.moderator_added', { channel: name, channel_id: id, by: owner, pseudo: user }],
      ['channel.moderator_removed', { channel: name, channel_id: id, by: owner, pseudo: user }],
    ]);
    expect((await after(name, 4))[3][0]).toBe('channel.member_joined');
  });
});
