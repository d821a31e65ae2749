import {
  ChildService,
  channelCall,
  channelIdOf,
  messageData,
  privateData,
  SourceStreams,
  startRealtime,
  uniqueName,
  userToken,
  waitUntil,
  WsClient,
} from './support';

describe.each([['http'], ['nats']])('privacy over the %s transport', (transport) => {
  let streams: SourceStreams;
  let channels: ChildService;
  let rt: Awaited<ReturnType<typeof startRealtime>>;
  const open: WsClient[] = [];

  beforeAll(async () => {
    streams = await new SourceStreams(transport === 'nats').start();
    channels = await new ChildService('channel-service', {}).start();
    rt = await startRealtime({ streams, channelUrl: channels.url });
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await rt?.close();
    await channels?.stop();
    await streams?.close();
  });

  async function channelWith(owner: string, members: string[], mode?: string) {
    const name = uniqueName('c');
    expect((await channelCall(channels.url, owner, 'POST', '/channel', { name })).status).toBe(201);
    for (const m of members) expect((await channelCall(channels.url, m, 'POST', `/channel/${name}/join`)).status).toBe(200);
    if (mode) expect((await channelCall(channels.url, owner, 'POST', `/channel/${name}/mode`, { mode })).status).toBe(200);
    return { name, id: await channelIdOf(channels.url, name) };
  }

  const listen = async (pseudo: string, query?: string) => {
    const ws = new WsClient(rt.url, { token: userToken(pseudo), query });
    open.push(ws);
    return ws.live();
  };
  const texts = (ws: WsClient) => ws.events('message.created').map((e) => (e.data as { text: string }).text);

  /** Posts `marker` last in a channel `witness` is in: once the witness has it, everything before was fanned out. */
  async function settle(owner: string, witness: WsClient, ch: { name: string; id: string }) {
    await streams.append('message', 'message.created', messageData(ch.name, ch.id, owner, 'marker'));
    await waitUntil(() => texts(witness).includes('marker'), 'the marker arrived');
  }

  it('when a user was never a member, then a public channel messages do not reach them, even when they ask for a private one', async () => {
    const [owner, outsider] = [uniqueName('o'), uniqueName('x')];
    const pub = await channelWith(owner, []);
    const priv = await channelWith(owner, [], '+i');
    const ownerWs = await listen(owner, `channels=${priv.name}`);
    const outWs = await listen(outsider, `channels=${priv.name}`);
    await streams.append('message', 'message.created', messageData(pub.name, pub.id, owner, 'public words'));
    await streams.append('message', 'message.created', messageData(priv.name, priv.id, owner, 'private words'));
    await streams.append('message', 'message.created', privateData(owner, uniqueName('z'), 'not for you'));
    await settle(owner, ownerWs, pub);
    // The owner sees all three (the private message is their own, sent).
    expect(texts(ownerWs)).toEqual(['public words', 'private words', 'not for you', 'marker']);
    expect(outWs.events()).toEqual([]);
  });

  it('when a member of a private channel listens, then its messages reach them and a recreated channel of the same name never shows the old one', async () => {
    const [owner, member] = [uniqueName('o'), uniqueName('m')];
    const priv = await channelWith(owner, [member], '+i');
    const ws = await listen(member, `channels=${priv.name}`);
    await streams.append('message', 'message.created', messageData(priv.name, 'an-older-channel-id', owner, 'old incarnation'));
    await streams.append('message', 'message.created', messageData(priv.name, priv.id, owner, 'members only'));
    await waitUntil(() => texts(ws).includes('members only'), 'the message arrived');
    expect(texts(ws)).toEqual(['members only']);
  });

  it.each([
    ['kicked', 'kick', 'channel.member_kicked'],
    ['banned', 'ban', 'channel.member_banned'],
  ])('when a member is %s, then they get that event and nothing of the channel after it', async (_what, action, type) => {
    const [owner, victim] = [uniqueName('o'), uniqueName('v')];
    const ch = await channelWith(owner, [victim]);
    const ownerWs = await listen(owner);
    const victimWs = await listen(victim);
    await streams.append('message', 'message.created', messageData(ch.name, ch.id, owner, 'before'));
    await waitUntil(() => texts(victimWs).includes('before'), 'the victim got the message before');
    expect(
      (await channelCall(channels.url, owner, 'POST', `/channel/${ch.name}/${action}`, { pseudo: victim, reason: 'test' })).status,
    ).toBe(200);
    // What channel-service writes in its stream with the change (its outbox lands in another branch).
    await streams.append('channel', type, { channel: ch.name, channel_id: ch.id, by: owner, pseudo: victim, reason: 'test' });
    await waitUntil(() => victimWs.events(type).length === 1, `the victim got ${type}`);
    await streams.append('message', 'message.created', messageData(ch.name, ch.id, owner, 'after'));
    await settle(owner, ownerWs, ch);
    expect(texts(ownerWs)).toEqual(['before', 'after', 'marker']);
    expect(texts(victimWs)).toEqual(['before']);
    expect(ownerWs.events(type)).toHaveLength(1);
  });

  it('when a token is revoked (logged out later than it was issued), then its stream is closed with the reason and it cannot open another', async () => {
    const user = uniqueName('u');
    const token = userToken(user);
    const ws = new WsClient(rt.url, { token });
    open.push(ws);
    await ws.live();
    await streams.append('user', 'user.logged_out', { pseudo: user, revoked_before: new Date(Date.now() + 1000).toISOString() });
    await waitUntil(() => ws.closeCode !== undefined, 'the stream closed');
    expect(ws.closeCode).toBe(4001);
    expect(ws.closeReason).toBe('token_revoked');
    expect(ws.events('closing').map((e) => e.data)).toEqual([{ reason: 'token_revoked' }]);
    const res = await fetch(`${rt.url}/events/poll?wait=0`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('token_revoked');
  });
});
