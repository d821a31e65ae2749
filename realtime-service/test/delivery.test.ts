import { privateData, texts, uniqueName, userToken, useWorld, WsClient, type Transport } from './support';

describe.each<[Transport]>([['http'], ['nats']])('delivery over the %s transport', (transport) => {
  const world = useWorld(transport);

  it('when a member listens over WebSocket and SSE, then each message of the channel arrives once, in order, as an envelope', async () => {
    const [owner, reader] = [uniqueName('o'), uniqueName('r')];
    const ch = await world.channelWith(owner, [reader]);
    const ws = await world.connect(reader).live();
    const sse = await world.sse(reader).live();
    for (let i = 0; i < 5; i++) await world.post(ch, owner, `hello ${i}`);
    const got = await ws.waitFor(5);
    expect(texts(got)).toEqual([0, 1, 2, 3, 4].map((i) => `hello ${i}`));
    expect(got[0]).toEqual({
      type: 'message.created',
      cursor: expect.any(String),
      at: expect.any(String),
      data: expect.objectContaining({ channel: ch.name, from: owner }),
    });
    expect(new Set(got.map((e) => e.cursor)).size).toBe(5);
    const overSse = await sse.waitFor(5);
    expect(texts(overSse)).toEqual(texts(got));
  });

  it('when a private message is sent, then both participants receive it and nobody else', async () => {
    const [a, b, c] = [uniqueName('a'), uniqueName('b'), uniqueName('c')];
    const clients = [a, b, c].map((p) => world.connect(p));
    await Promise.all(clients.map((cl) => cl.live()));
    await world.streams.append('message', 'message.created', privateData(a, b, 'psst'));
    await clients[0].waitFor(1);
    await clients[1].waitFor(1);
    await world.streams.append('user', 'user.status_changed', { pseudo: c, status: 'away' });
    await clients[2].waitFor(1);
    expect(clients[2].events().map((e) => e.type)).toEqual(['user.status_changed']);
    expect(clients[0].events()[0].data).toEqual(expect.objectContaining({ text: 'psst', to: b }));
  });

  it('when a user subscribes to a public channel without joining, then its messages arrive; a private one is refused', async () => {
    const [owner, visitor] = [uniqueName('o'), uniqueName('v')];
    const pub = await world.channelWith(owner);
    const priv = await world.channelWith(owner, [], '+i');
    const ws = await world.connect(visitor).live();
    ws.ws.send(JSON.stringify({ type: 'subscribe', channel: pub.name }));
    ws.ws.send(JSON.stringify({ type: 'subscribe', channel: `#${priv.name}` }));
    await ws.waitFor(1, 'subscribed');
    await ws.waitFor(1, 'error');
    expect(ws.events('error')[0].data).toEqual(expect.objectContaining({ code: 'channel_not_readable', channel: priv.name }));
    await world.post(priv, owner, 'secret');
    await world.post(pub, owner, 'open');
    const got = await ws.waitFor(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(texts(ws.events())).toEqual(['open']);
    expect(got[0].data).toEqual(expect.objectContaining({ channel: pub.name }));
  });

  it('when a client long-polls, then it gets the events after its cursor and the cursor to ask after next', async () => {
    const [owner, reader] = [uniqueName('o'), uniqueName('r')];
    const ch = await world.channelWith(owner, [reader]);
    const auth = { authorization: `Bearer ${userToken(reader)}` };
    const first = await fetch(`${world.rt.url}/events/poll?wait=0`, { headers: auth });
    expect(first.status).toBe(200);
    const { cursor } = (await first.json()) as { cursor: string };
    const pending = fetch(`${world.rt.url}/events/poll?after=${cursor}&wait=10`, { headers: auth });
    await new Promise((r) => setTimeout(r, 200));
    await world.post(ch, owner, 'polled');
    const res = await pending;
    const body = (await res.json()) as { events: Array<{ type: string; data: { text: string } }>; cursor: string };
    expect(body.events.map((e) => e.data.text)).toEqual(['polled']);
    expect(body.cursor).not.toBe(cursor);
    const bad = await fetch(`${world.rt.url}/events/poll?wait=31`, { headers: auth });
    expect(bad.status).toBe(422);
  });

  it('when a ticket is used, then it opens one stream only; a JWT in the URL is refused', async () => {
    const reader = uniqueName('r');
    const res = await fetch(`${world.rt.url}/events/ticket`, { method: 'POST', headers: { authorization: `Bearer ${userToken(reader)}` } });
    expect(res.status).toBe(201);
    const { ticket } = (await res.json()) as { ticket: string };
    const ws = world.track(new WsClient(world.rt.url, { query: `ticket=${ticket}` }));
    await ws.opened;
    const again = await fetch(`${world.rt.url}/events/poll?wait=0&ticket=${ticket}`);
    expect(again.status).toBe(401);
    expect(await again.json()).toEqual({ error: expect.any(String), code: 'ticket_used' });
    const inUrl = await fetch(`${world.rt.url}/events/poll?wait=0&access_token=${userToken(reader)}`);
    expect(inUrl.status).toBe(400);
    expect(((await inUrl.json()) as { code: string }).code).toBe('token_in_url');
    const none = await fetch(`${world.rt.url}/events`);
    expect(none.status).toBe(401);
    await expect(new WsClient(world.rt.url, {}).opened).rejects.toThrow('401');
  });
});
