import {
  ChildService,
  channelCall,
  channelIdOf,
  messageData,
  realtimeEnv,
  SourceStreams,
  startRealtime,
  uniqueName,
  userToken,
  waitUntil,
  WsClient,
} from './support';

describe.each([['http'], ['nats']])('replicas and slow clients over the %s transport', (transport) => {
  let streams: SourceStreams;
  let channels: ChildService;
  const open: Array<{ close(): unknown }> = [];

  beforeAll(async () => {
    streams = await new SourceStreams(transport === 'nats').start();
    channels = await new ChildService('channel-service', {}).start();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await channels?.stop();
    await streams?.close();
  });

  async function channelWith(owner: string, member: string) {
    const name = uniqueName('c');
    expect((await channelCall(channels.url, owner, 'POST', '/channel', { name })).status).toBe(201);
    expect((await channelCall(channels.url, member, 'POST', `/channel/${name}/join`)).status).toBe(200);
    return { name, id: await channelIdOf(channels.url, name) };
  }
  const texts = (events: Array<{ data: unknown }>) => events.map((e) => (e.data as { text: string }).text);

  it('when one of two replicas is killed (kill -9) mid-stream, then the client resumes on the other with nothing missed and nothing twice', async () => {
    const env = realtimeEnv(streams, channels.url, { REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
    const a = await new ChildService('realtime-service', env).start();
    const b = await new ChildService('realtime-service', env).start();
    open.push({ close: () => a.stop() }, { close: () => b.stop() });
    const [owner, reader] = [uniqueName('o'), uniqueName('r')];
    const ch = await channelWith(owner, reader);
    const ws = new WsClient(a.url, { token: userToken(reader) });
    open.push(ws);
    await ws.live();
    // A writer posts all along; replica A dies after some of it.
    const total = 200;
    const writer = (async () => {
      for (let i = 0; i < total; i++) {
        await streams.append('message', 'message.created', messageData(ch.name, ch.id, owner, `w${i}`));
        if (i % 20 === 0) await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await waitUntil(() => ws.events().length >= 40, '40 events before the kill');
    await a.kill('SIGKILL');
    await waitUntil(() => ws.closeCode !== undefined, 'the client saw the connection drop');
    const cursor = ws.cursor!;
    const resumed = new WsClient(b.url, { token: userToken(reader), query: `after=${cursor}` });
    open.push(resumed);
    await writer;
    await resumed.waitFor(1);
    await waitUntil(() => ws.events().length + resumed.events().length >= total, `all ${total} across both replicas`, 20000);
    const all = [...texts(ws.events()), ...texts(resumed.events())];
    expect(all).toEqual(Array.from({ length: total }, (_, i) => `w${i}`));
    expect(resumed.events('resync_required')).toEqual([]);
  });

  it('when a replica gets SIGTERM, then its clients get a reconnect frame with their cursor, and resume elsewhere with nothing missed', async () => {
    const env = realtimeEnv(streams, channels.url);
    const a = await new ChildService('realtime-service', env).start();
    const b = await new ChildService('realtime-service', env).start();
    open.push({ close: () => a.stop() }, { close: () => b.stop() });
    const [owner, reader] = [uniqueName('o'), uniqueName('r')];
    const ch = await channelWith(owner, reader);
    const ws = new WsClient(a.url, { token: userToken(reader) });
    open.push(ws);
    await ws.live();
    await streams.append('message', 'message.created', messageData(ch.name, ch.id, owner, 'before'));
    await ws.waitFor(1);
    await a.kill('SIGTERM');
    await waitUntil(() => ws.closeCode !== undefined, 'closed');
    expect(ws.closeCode).toBe(1012);
    const reconnect = ws.events('reconnect');
    expect(reconnect.map((e) => e.data)).toEqual([{ reason: 'server_shutdown' }]);
    await streams.append('message', 'message.created', messageData(ch.name, ch.id, owner, 'after'));
    const resumed = new WsClient(b.url, { token: userToken(reader), query: `after=${reconnect[0].cursor}` });
    open.push(resumed);
    expect(texts(await resumed.waitFor(1))).toEqual(['after']);
  });

  it('when a client stops reading, then it is closed once its buffer is full (slow_consumer), and resumes from its cursor with nothing lost', async () => {
    const streamsRt = await startRealtime({ streams, channelUrl: channels.url, settings: { sendBufferBytes: 64 * 1024 } });
    open.push(streamsRt);
    const [owner, reader] = [uniqueName('o'), uniqueName('r')];
    const ch = await channelWith(owner, reader);
    const slow = new WsClient(streamsRt.url, { token: userToken(reader) });
    open.push(slow);
    await slow.live();
    const cursor = slow.cursor!;
    // The client's socket stops reading: the kernel buffers fill, then the server's.
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const big = 'x'.repeat(40_000);
    const n = 400;
    for (let i = 0; i < n; i++) await streams.append('message', 'message.created', messageData(ch.name, ch.id, owner, `${i}:${big}`));
    await waitUntil(() => streamsRt.realtime.hub.connections === 0, 'the slow connection closed on the server', 20000);
    const back = new WsClient(streamsRt.url, { token: userToken(reader), query: `after=${cursor}` });
    open.push(back);
    const got = await back.waitFor(n, undefined, 20000);
    expect(texts(got).map((t) => t.split(':')[0])).toEqual(Array.from({ length: n }, (_, i) => String(i)));
  });
});
