import {
  messageData,
  privateData,
  texts,
  uniqueName,
  userToken,
  useWorld,
  waitUntil,
  WsClient,
  type Channel,
  type Transport,
} from './support';

describe.each<[Transport]>([['http'], ['nats']])('privacy over the %s transport', (transport) => {
  const world = useWorld(transport);

  const listen = (pseudo: string, query?: string) => world.connect(pseudo, { query }).live();
  const said = (ws: WsClient) => texts(ws.events('message.created'));

  /** Posts `marker` last in a channel `witness` is in: once the witness has it, everything before was fanned out. */
  async function settle(owner: string, witness: WsClient, ch: Channel) {
    await world.post(ch, owner, 'marker');
    await waitUntil(() => said(witness).includes('marker'), 'the marker arrived');
  }

  it('when a user was never a member, then a public channel messages do not reach them, even when they ask for a private one', async () => {
    const [owner, outsider] = [uniqueName('o'), uniqueName('x')];
    const pub = await world.channelWith(owner, []);
    const priv = await world.channelWith(owner, [], '+i');
    const ownerWs = await listen(owner, `channels=${priv.name}`);
    const outWs = await listen(outsider, `channels=${priv.name}`);
    await world.post(pub, owner, 'public words');
    await world.post(priv, owner, 'private words');
    await world.streams.append('message', 'message.created', privateData(owner, uniqueName('z'), 'not for you'));
    await settle(owner, ownerWs, pub);
    // The owner sees all three (the private message is their own, sent).
    expect(said(ownerWs)).toEqual(['public words', 'private words', 'not for you', 'marker']);
    expect(outWs.events()).toEqual([]);
  });

  it('when a member of a private channel listens, then its messages reach them and a recreated channel of the same name never shows the old one', async () => {
    const [owner, member] = [uniqueName('o'), uniqueName('m')];
    const priv = await world.channelWith(owner, [member], '+i');
    const ws = await listen(member, `channels=${priv.name}`);
    await world.streams.append('message', 'message.created', messageData(priv.name, 'an-older-channel-id', owner, 'old incarnation'));
    await world.post(priv, owner, 'members only');
    await waitUntil(() => said(ws).includes('members only'), 'the message arrived');
    expect(said(ws)).toEqual(['members only']);
  });

  it.each([
    ['kicked', 'kick', 'channel.member_kicked'],
    ['banned', 'ban', 'channel.member_banned'],
  ])('when a member is %s, then they get that event and nothing of the channel after it', async (_what, action, type) => {
    const [owner, victim] = [uniqueName('o'), uniqueName('v')];
    const ch = await world.channelWith(owner, [victim]);
    const ownerWs = await listen(owner);
    const victimWs = await listen(victim);
    await world.post(ch, owner, 'before');
    await waitUntil(() => said(victimWs).includes('before'), 'the victim got the message before');
    expect((await world.channelCall(owner, 'POST', `/channel/${ch.name}/${action}`, { pseudo: victim, reason: 'test' })).status).toBe(200);
    // What channel-service writes in its stream with the change (its outbox lands in another branch).
    await world.streams.append('channel', type, { channel: ch.name, channel_id: ch.id, by: owner, pseudo: victim, reason: 'test' });
    await waitUntil(() => victimWs.events(type).length === 1, `the victim got ${type}`);
    await world.post(ch, owner, 'after');
    await settle(owner, ownerWs, ch);
    expect(said(ownerWs)).toEqual(['before', 'after', 'marker']);
    expect(said(victimWs)).toEqual(['before']);
    expect(ownerWs.events(type)).toHaveLength(1);
  });

  it('when a token is revoked (logged out later than it was issued), then its stream is closed with the reason and it cannot open another', async () => {
    const user = uniqueName('u');
    const token = userToken(user);
    const ws = world.track(new WsClient(world.rt.url, { token }));
    await ws.live();
    await world.streams.append('user', 'user.logged_out', { pseudo: user, revoked_before: new Date(Date.now() + 1000).toISOString() });
    await waitUntil(() => ws.closeCode !== undefined, 'the stream closed');
    expect(ws.closeCode).toBe(4001);
    expect(ws.closeReason).toBe('token_revoked');
    expect(ws.events('closing').map((e) => e.data)).toEqual([{ reason: 'token_revoked' }]);
    const res = await fetch(`${world.rt.url}/events/poll?wait=0`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('token_revoked');
  });
});
