import { encodeCursor } from '../src/domain/cursor';
import { texts, uniqueName, userToken, useWorld, waitUntil, type Channel, type Realtime, type Transport } from './support';

describe.each<[Transport]>([['http'], ['nats']])('resume over the %s transport', (transport) => {
  const world = useWorld(transport);
  /** A replica whose window holds 10 events: older resumes read the stream again. */
  let small: Realtime;
  beforeAll(async () => {
    small = world.keep(await world.startRealtime({ settings: { windowEvents: 10, resumeWaitMs: 500 } }));
  });

  const post = async (ch: Channel, from: string, prefix: string, n: number) => {
    for (let i = 0; i < n; i++) await world.post(ch, from, `${prefix}${i}`);
  };
  const range = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

  it.each([
    ['from memory', () => world.rt],
    ['from the stream (older than the window)', () => small],
  ])(
    'when a client comes back with its cursor after 100 events, then it gets all 100 in order, once each, then live events (%s)',
    async (_how, target) => {
      const [owner, reader] = [uniqueName('o'), uniqueName('r')];
      const ch = await world.channelWith(owner, [reader]);
      const first = await world.connect(reader).live();
      await post(ch, owner, 'a', 3);
      await first.waitFor(3);
      const cursor = first.cursor!;
      await first.close();
      await post(ch, owner, 'm', 100);
      await waitUntil(async () => (await world.streams.head('message')) >= 100, 'posted');
      const back = world.connect(reader, { on: target(), query: `after=${cursor}` });
      await back.waitFor(100);
      await post(ch, owner, 'l', 2);
      const got = await back.waitFor(102);
      expect(texts(got)).toEqual([...range('m', 100), ...range('l', 2)]);
      expect(back.events('resync_required')).toEqual([]);
      // SSE resumes the same way with Last-Event-ID.
      const sse = world.sse(reader, { on: target(), lastEventId: cursor });
      expect(texts(await sse.waitFor(102))).toEqual([...range('m', 100), ...range('l', 2)]);
    },
  );

  it('when a long-poll client asks with its cursor, then it gets what it missed and the next cursor', async () => {
    const [owner, reader] = [uniqueName('o'), uniqueName('r')];
    const ch = await world.channelWith(owner, [reader]);
    const auth = { authorization: `Bearer ${userToken(reader)}` };
    const { cursor } = (await (await fetch(`${world.rt.url}/events/poll?wait=0`, { headers: auth })).json()) as { cursor: string };
    await post(ch, owner, 'p', 5);
    await waitUntil(async () => {
      const body = (await (await fetch(`${world.rt.url}/events/poll?wait=0&after=${cursor}`, { headers: auth })).json()) as {
        events: unknown[];
      };
      return body.events.length === 5;
    }, 'five missed events polled');
  });

  it.each([
    ['not a cursor', 'garbage'],
    ['ahead of every stream', encodeCursor({ user: 0, channel: 0, message: 10_000_000 })],
  ])('when the cursor is %s, then the client gets one resync_required and then live events', async (_what, cursor) => {
    const [owner, reader] = [uniqueName('o'), uniqueName('r')];
    const ch = await world.channelWith(owner, [reader]);
    const ws = world.connect(reader, { on: small, query: `after=${cursor}` });
    await ws.waitFor(1, 'resync_required');
    await post(ch, owner, 'n', 1);
    expect(texts(await ws.waitFor(1))).toEqual(['n0']);
    expect(ws.events('resync_required')).toHaveLength(1);
  });
});

describe('resume beyond retention', () => {
  const world = useWorld('http', { retentionMs: 300, realtime: { windowEvents: 2 } });

  it('when the events after the cursor were pruned, then the client gets one resync_required', async () => {
    const reader = uniqueName('r');
    for (let i = 0; i < 5; i++) await world.streams.append('user', 'user.status_changed', { pseudo: reader, status: `s${i}` });
    await new Promise((r) => setTimeout(r, 800));
    // Pruning happens after a sequencer pass: one more event once retention has passed.
    await world.streams.append('user', 'user.status_changed', { pseudo: reader, status: 'late' });
    await new Promise((r) => setTimeout(r, 300));
    const ws = world.connect(reader, { query: `after=${encodeCursor({ user: 1, channel: 0, message: 0 })}` });
    await ws.waitFor(1, 'resync_required');
    expect(ws.events('resync_required')[0].data).toEqual({ reason: 'beyond_retention' });
  });
});
