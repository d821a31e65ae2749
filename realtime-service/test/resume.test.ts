import { encodeCursor } from '../src/domain/cursor';
import {
  ChildService,
  channelCall,
  channelIdOf,
  messageData,
  SourceStreams,
  SseClient,
  startRealtime,
  uniqueName,
  userToken,
  waitUntil,
  WsClient,
} from './support';

describe.each([['http'], ['nats']])('resume over the %s transport', (transport) => {
  let streams: SourceStreams;
  let channels: ChildService;
  let rt: Awaited<ReturnType<typeof startRealtime>>;
  /** A replica whose window holds 10 events: older resumes read the stream again. */
  let small: Awaited<ReturnType<typeof startRealtime>>;
  const open: Array<{ close(): unknown }> = [];

  beforeAll(async () => {
    streams = await new SourceStreams(transport === 'nats').start();
    channels = await new ChildService('channel-service', {}).start();
    rt = await startRealtime({ streams, channelUrl: channels.url });
    small = await startRealtime({ streams, channelUrl: channels.url, settings: { windowEvents: 10, resumeWaitMs: 500 } });
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await rt?.close();
    await small?.close();
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
  const post = async (ch: { name: string; id: string }, from: string, prefix: string, n: number) => {
    for (let i = 0; i < n; i++) await streams.append('message', 'message.created', messageData(ch.name, ch.id, from, `${prefix}${i}`));
  };
  const range = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

  it.each([
    ['from memory', () => rt],
    ['from the stream (older than the window)', () => small],
  ])(
    'when a client comes back with its cursor after 100 events, then it gets all 100 in order, once each, then live events (%s)',
    async (_how, target) => {
      const [owner, reader] = [uniqueName('o'), uniqueName('r')];
      const ch = await channelWith(owner, reader);
      const first = new WsClient(rt.url, { token: userToken(reader) });
      open.push(first);
      await first.live();
      await post(ch, owner, 'a', 3);
      await first.waitFor(3);
      const cursor = first.cursor!;
      await first.close();
      await post(ch, owner, 'm', 100);
      await waitUntil(async () => (await streams.head('message')) >= 100, 'posted');
      const back = new WsClient(target().url, { token: userToken(reader), query: `after=${cursor}` });
      open.push(back);
      await back.waitFor(100);
      await post(ch, owner, 'l', 2);
      const got = await back.waitFor(102);
      expect(texts(got)).toEqual([...range('m', 100), ...range('l', 2)]);
      expect(back.events('resync_required')).toEqual([]);
      // SSE resumes the same way with Last-Event-ID.
      const sse = new SseClient(target().url, userToken(reader), { lastEventId: cursor });
      open.push(sse);
      expect(texts(await sse.waitFor(102))).toEqual([...range('m', 100), ...range('l', 2)]);
    },
  );

  it('when a long-poll client asks with its cursor, then it gets what it missed and the next cursor', async () => {
    const [owner, reader] = [uniqueName('o'), uniqueName('r')];
    const ch = await channelWith(owner, reader);
    const auth = { authorization: `Bearer ${userToken(reader)}` };
    const { cursor } = (await (await fetch(`${rt.url}/events/poll?wait=0`, { headers: auth })).json()) as { cursor: string };
    await post(ch, owner, 'p', 5);
    await waitUntil(async () => {
      const body = (await (await fetch(`${rt.url}/events/poll?wait=0&after=${cursor}`, { headers: auth })).json()) as { events: unknown[] };
      return body.events.length === 5;
    }, 'five missed events polled');
  });

  it.each([
    ['not a cursor', 'garbage'],
    ['ahead of every stream', encodeCursor({ user: 0, channel: 0, message: 10_000_000 })],
  ])('when the cursor is %s, then the client gets one resync_required and then live events', async (_what, cursor) => {
    const [owner, reader] = [uniqueName('o'), uniqueName('r')];
    const ch = await channelWith(owner, reader);
    const ws = new WsClient(small.url, { token: userToken(reader), query: `after=${cursor}` });
    open.push(ws);
    await ws.waitFor(1, 'resync_required');
    await post(ch, owner, 'n', 1);
    expect(texts(await ws.waitFor(1))).toEqual(['n0']);
    expect(ws.events('resync_required')).toHaveLength(1);
  });
});

describe('resume beyond retention', () => {
  it('when the events after the cursor were pruned, then the client gets one resync_required', async () => {
    const streams = await new SourceStreams(false, 300).start();
    const channels = await new ChildService('channel-service', {}).start();
    const rt = await startRealtime({ streams, channelUrl: channels.url, settings: { windowEvents: 2 } });
    const reader = uniqueName('r');
    try {
      for (let i = 0; i < 5; i++) await streams.append('user', 'user.status_changed', { pseudo: reader, status: `s${i}` });
      await new Promise((r) => setTimeout(r, 800));
      // Pruning happens after a sequencer pass: one more event once retention has passed.
      await streams.append('user', 'user.status_changed', { pseudo: reader, status: 'late' });
      await new Promise((r) => setTimeout(r, 300));
      const ws = new WsClient(rt.url, { token: userToken(reader), query: `after=${encodeCursor({ user: 1, channel: 0, message: 0 })}` });
      await ws.waitFor(1, 'resync_required');
      expect(ws.events('resync_required')[0].data).toEqual({ reason: 'beyond_retention' });
      await ws.close();
    } finally {
      await rt.close();
      await channels.stop();
      await streams.close();
    }
  });
});
