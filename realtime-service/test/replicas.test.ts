import { REDIS_URL, texts, uniqueName, useWorld, waitUntil, type Transport } from './support';

describe.each<[Transport]>([['http'], ['nats']])('replicas and slow clients over the %s transport', (transport) => {
  const world = useWorld(transport, { realtime: false });

  it('when one of two replicas is killed (kill -9) mid-stream, then the client resumes on the other with nothing missed and nothing twice', async () => {
    const [a, b] = [await world.replica({ REDIS_URL }), await world.replica({ REDIS_URL })];
    const [owner, reader] = [uniqueName('o'), uniqueName('r')];
    const ch = await world.channelWith(owner, [reader]);
    const ws = await world.connect(reader, { on: a }).live();
    // A writer posts all along; replica A dies after some of it.
    const total = 200;
    const writer = (async () => {
      for (let i = 0; i < total; i++) {
        await world.post(ch, owner, `w${i}`);
        if (i % 20 === 0) await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await waitUntil(() => ws.events().length >= 40, '40 events before the kill');
    await a.kill('SIGKILL');
    await waitUntil(() => ws.closeCode !== undefined, 'the client saw the connection drop');
    const cursor = ws.cursor!;
    const resumed = world.connect(reader, { on: b, query: `after=${cursor}` });
    await writer;
    await resumed.waitFor(1);
    await waitUntil(() => ws.events().length + resumed.events().length >= total, `all ${total} across both replicas`, 20000);
    const all = [...texts(ws.events()), ...texts(resumed.events())];
    expect(all).toEqual(Array.from({ length: total }, (_, i) => `w${i}`));
    expect(resumed.events('resync_required')).toEqual([]);
  });

  it('when a replica gets SIGTERM, then its clients get a reconnect frame with their cursor, and resume elsewhere with nothing missed', async () => {
    const [a, b] = [await world.replica(), await world.replica()];
    const [owner, reader] = [uniqueName('o'), uniqueName('r')];
    const ch = await world.channelWith(owner, [reader]);
    const ws = await world.connect(reader, { on: a }).live();
    await world.post(ch, owner, 'before');
    await ws.waitFor(1);
    await a.kill('SIGTERM');
    await waitUntil(() => ws.closeCode !== undefined, 'closed');
    expect(ws.closeCode).toBe(1012);
    const reconnect = ws.events('reconnect');
    expect(reconnect.map((e) => e.data)).toEqual([{ reason: 'server_shutdown' }]);
    await world.post(ch, owner, 'after');
    const resumed = world.connect(reader, { on: b, query: `after=${reconnect[0].cursor}` });
    expect(texts(await resumed.waitFor(1))).toEqual(['after']);
  });

  it('when a client stops reading, then it is closed once its buffer is full (slow_consumer), and resumes from its cursor with nothing lost', async () => {
    const streamsRt = world.track(await world.startRealtime({ settings: { sendBufferBytes: 64 * 1024 } }));
    const [owner, reader] = [uniqueName('o'), uniqueName('r')];
    const ch = await world.channelWith(owner, [reader]);
    const slow = await world.connect(reader, { on: streamsRt }).live();
    const cursor = slow.cursor!;
    // The client's socket stops reading: the kernel buffers fill, then the server's.
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const big = 'x'.repeat(40_000);
    const n = 400;
    for (let i = 0; i < n; i++) await world.post(ch, owner, `${i}:${big}`);
    await waitUntil(() => streamsRt.realtime.hub.connections === 0, 'the slow connection closed on the server', 20000);
    const back = world.connect(reader, { on: streamsRt, query: `after=${cursor}` });
    const got = await back.waitFor(n, undefined, 20000);
    expect(texts(got).map((t) => t.split(':')[0])).toEqual(Array.from({ length: n }, (_, i) => String(i)));
  });
});
