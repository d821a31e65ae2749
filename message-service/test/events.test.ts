import request from 'supertest';
import { eventsPageSchema } from '@canaduck/contracts';
import { bearer, serviceBearer, testDatabases, uniqueName, waitUntil } from '@canaduck/testing';
import { useWorldApp } from './support';

interface FeedEvent {
  seq: number;
  type: string;
  at: string;
  data: Record<string, unknown>;
}

describe.each(testDatabases())('GET /internal/events on %s', (kind) => {
  const { world, t } = useWorldApp(kind);

  const feed = async (query = '') => {
    const res = await request(t.app)
      .get(`/internal/events${query}`)
      .set('Authorization', serviceBearer('stats-service', 'message-service'));
    expect(res.status).toBe(200);
    // Every answer is what callers parse it with (@canaduck/contracts).
    expect(eventsPageSchema.safeParse(res.body).error?.issues).toBeUndefined();
    return res.body as { events: FeedEvent[]; last_seq: number };
  };
  /** The events after `after` once at least `count` are sequenced (the sequencer runs just after each commit). */
  const settledFeed = async (after: number, count: number, limit = 500): Promise<FeedEvent[]> => {
    let events: FeedEvent[] = [];
    await waitUntil(async () => (events = (await feed(`?after=${after}&limit=${limit}`)).events).length >= count, 'events sequenced');
    return events;
  };

  test('when a reply with quotes, backslashes, newlines and emoji is posted, then its message.created event carries exactly the message', async () => {
    const start = (await feed('?limit=5000')).last_seq;
    const roger = uniqueName('roger');
    const channel = uniqueName('chan');
    const ch = world.channel(channel, { owner: roger });
    const as = { Authorization: bearer(roger) };
    const root = (await request(t.app).post('/msg').set(as).send({ channel, text: 'root' }).expect(201)).body;
    const text = 'l\'é "cité" \\ a\\nb\n\ttab 👨‍👩‍👧 </script> \u00e9';
    const reply = (await request(t.app).post('/msg').set(as).send({ channel, text, reply_to: root.id }).expect(201)).body;
    const events = await settledFeed(start, 2);
    expect(events).toHaveLength(2);
    expect(events[1].type).toBe('message.created');
    // `at` is taken when the event is written, in the transaction, just after the message's time.
    expect(Date.parse(events[1].at)).toBeGreaterThanOrEqual(Date.parse(reply.timestamp));
    expect(events[1].data).toEqual({
      id: reply.id,
      channel,
      channel_id: ch.channelId,
      to: null,
      from: roger,
      text,
      timestamp: reply.timestamp,
      reply_to: root.id,
    });
  });

  test('when messages change, then the feed lists every change once, in strictly increasing seq, with the contract data', async () => {
    const start = (await feed('?limit=5000')).last_seq;
    const roger = uniqueName('roger');
    const ginette = uniqueName('ginette');
    const channel = uniqueName('chan');
    const ch = world.channel(channel, { owner: roger, members: [ginette] });
    world.user(roger, ginette);
    const as = (who: string) => ({ Authorization: bearer(who) });
    const m = (await request(t.app).post('/msg').set(as(roger)).send({ channel, text: 'salut 🦆' })).body;
    const pm = (await request(t.app).post('/msg').set(as(roger)).send({ to: ginette, text: 'pm' })).body;
    await request(t.app).put(`/msg/${m.id}`).set(as(roger)).send({ text: 'salut !' }).expect(200);
    await request(t.app).post('/msg/reaction').set(as(ginette)).send({ message_id: m.id, emoji: '👍' }).expect(201);
    await request(t.app).post('/msg/reaction').set(as(ginette)).send({ message_id: m.id, emoji: '👍' }).expect(200);
    await request(t.app).delete('/msg/reaction').set(as(ginette)).send({ message_id: m.id, emoji: '👍' }).expect(200);
    await request(t.app).post(`/msg/${m.id}/pin`).set(as(roger)).expect(200);
    await request(t.app).post(`/msg/${m.id}/pin`).set(as(roger)).expect(200);
    await request(t.app).delete(`/msg/${m.id}/pin`).set(as(roger)).expect(200);
    await request(t.app).delete(`/msg/${m.id}`).set(as(roger)).expect(200);
    await request(t.app).put(`/msg/${pm.id}`).set(as(ginette)).send({ text: 'refused' }).expect(403);

    const events = await settledFeed(start, 8);
    const { last_seq } = await feed(`?after=${start}`);
    expect(events.map((e) => e.type)).toEqual([
      'message.created',
      'message.created',
      'message.edited',
      'reaction.added',
      'reaction.removed',
      'message.pinned',
      'message.unpinned',
      'message.deleted',
    ]);
    events.forEach((e, i) => {
      expect(e.seq).toBeGreaterThan(i === 0 ? start : events[i - 1].seq);
      expect(e.at).toMatch(/Z$/);
    });
    expect(last_seq).toBe(events[events.length - 1].seq);
    expect(events[0].data).toEqual({
      id: m.id,
      channel,
      channel_id: ch.channelId,
      to: null,
      from: roger,
      // The message was deleted at the end: its text is scrubbed from its events.
      text: '',
      timestamp: m.timestamp,
      reply_to: null,
    });
    expect(events[1].data).toMatchObject({ id: pm.id, channel: null, channel_id: null, to: ginette, from: roger });
    // Every event about an existing message says where it lives (consumers route it without a lookup).
    const where = { channel, channel_id: ch.channelId, to: null, from: roger };
    expect(events[2].data).toEqual({ id: m.id, text: '', edited_at: expect.stringMatching(/Z$/), ...where });
    expect(events[3].data).toEqual({ message_id: m.id, emoji: '👍', pseudo: ginette, ...where });
    expect(events[4].data).toEqual({ message_id: m.id, emoji: '👍', pseudo: ginette, ...where });
    expect(events[5].data).toEqual({ id: m.id, by: roger, ...where });
    expect(events[6].data).toEqual({ id: m.id, by: roger, ...where });
    expect(events[7].data).toEqual({ id: m.id, ...where });

    const paged = await feed(`?after=${start}&limit=3`);
    expect(paged.events.map((e) => e.seq)).toEqual(events.slice(0, 3).map((e) => e.seq));
    expect(paged.last_seq).toBe(events[2].seq);
    const rest = await feed(`?after=${paged.last_seq}`);
    expect(rest.events.map((e) => e.seq)).toEqual(events.slice(3).map((e) => e.seq));
    const none = await feed(`?after=${last_seq}`);
    expect(none).toEqual({ events: [], last_seq });
  });

  test('when a private message is edited, reacted to and deleted, then each event carries its two participants and no channel', async () => {
    const start = (await feed('?limit=5000')).last_seq;
    const [roger, ginette] = [uniqueName('roger'), uniqueName('ginette')];
    world.user(roger, ginette);
    const as = (who: string) => ({ Authorization: bearer(who) });
    const pm = (await request(t.app).post('/msg').set(as(roger)).send({ to: ginette, text: 'pm' }).expect(201)).body;
    await request(t.app).put(`/msg/${pm.id}`).set(as(roger)).send({ text: 'pm!' }).expect(200);
    await request(t.app).post('/msg/reaction').set(as(ginette)).send({ message_id: pm.id, emoji: '🦆' }).expect(201);
    await request(t.app).delete(`/msg/${pm.id}`).set(as(roger)).expect(200);
    const events = await settledFeed(start, 4);
    expect(events.map((e) => e.type)).toEqual(['message.created', 'message.edited', 'reaction.added', 'message.deleted']);
    for (const e of events.slice(1)) expect(e.data).toMatchObject({ channel: null, channel_id: null, to: ginette, from: roger });
    expect(events[2].data).toMatchObject({ message_id: pm.id, pseudo: ginette });
  });

  test('when a message is deleted, then its text is scrubbed from its stored events, which keep their seq and type', async () => {
    const start = (await feed('?limit=5000')).last_seq;
    const roger = uniqueName('roger');
    const channel = uniqueName('chan');
    world.channel(channel, { owner: roger });
    const as = { Authorization: bearer(roger) };
    const m = (await request(t.app).post('/msg').set(as).send({ channel, text: 'secret plan' }).expect(201)).body;
    await request(t.app).put(`/msg/${m.id}`).set(as).send({ text: 'secret plan v2' }).expect(200);
    await request(t.app).delete(`/msg/${m.id}`).set(as).expect(200);
    const events = await settledFeed(start, 3);
    expect(events.map((e) => e.type)).toEqual(['message.created', 'message.edited', 'message.deleted']);
    expect(events[0].data).toMatchObject({ id: m.id, text: '' });
    expect(events[1].data).toMatchObject({ id: m.id, text: '' });
    expect(JSON.stringify(events)).not.toContain('secret plan');
    const stored = (await t.db
      .knex('outbox_events')
      .where({ subject: `message:${m.id}` })
      .select('data')) as Array<{ data: string }>;
    expect(stored.map((r) => r.data).join()).not.toContain('secret plan');
  });

  test('when a reader waits with wait=5 and a message is posted, then the answer comes with it before the wait ends', async () => {
    const start = (await feed('?limit=5000')).last_seq;
    const roger = uniqueName('roger');
    const channel = uniqueName('chan');
    world.channel(channel, { owner: roger });
    const began = Date.now();
    const waiting = request(t.app)
      .get(`/internal/events?after=${start}&wait=5`)
      .set('Authorization', serviceBearer('stats-service', 'message-service'));
    const answer = waiting.then((res) => res);
    await new Promise((r) => setTimeout(r, 100));
    await request(t.app).post('/msg').set('Authorization', bearer(roger)).send({ channel, text: 'wake up' }).expect(201);
    const res = await answer;
    expect(res.status).toBe(200);
    expect(res.body.events.map((e: FeedEvent) => e.data.text)).toEqual(['wake up']);
    expect(Date.now() - began).toBeLessThan(4000);
  });

  test('when the cursor is older than retention, then 410 resync_required with first_available', async () => {
    const roger = uniqueName('roger');
    const channel = uniqueName('chan');
    world.channel(channel, { owner: roger });
    await request(t.app).post('/msg').set('Authorization', bearer(roger)).send({ channel, text: 'old news' }).expect(201);
    await waitUntil(async () => (await t.db.knex('outbox_events').whereNull('seq').first()) === undefined, 'every event sequenced');
    const head = await t.backbone.head();
    // Everything so far becomes older than the 7 days of retention, then the leader prunes.
    await t.db
      .knex('outbox_events')
      .whereNotNull('seq')
      .update({ at: Date.now() - 8 * 24 * 3600 * 1000 });
    await t.backbone.pruneNow();
    const res = await request(t.app)
      .get('/internal/events?after=0')
      .set('Authorization', serviceBearer('stats-service', 'message-service'));
    expect(res.status).toBe(410);
    expect(res.body).toEqual(expect.objectContaining({ code: 'resync_required', first_available: head + 1 }));
    expect((await feed(`?after=${head}`)).events).toEqual([]);
  });

  test('when the caller has no token or a user token, then 401; bad paging, then 400', async () => {
    expect((await request(t.app).get('/internal/events')).status).toBe(401);
    expect(
      (
        await request(t.app)
          .get('/internal/events')
          .set('Authorization', bearer(uniqueName('u')))
      ).status,
    ).toBe(401);
    for (const q of ['?after=-1', '?after=x', '?limit=0', '?limit=5001']) {
      const res = await request(t.app).get(`/internal/events${q}`).set('Authorization', serviceBearer('stats-service', 'message-service'));
      expect([q, res.status]).toEqual([q, 400]);
    }
  });
});
