import request from 'supertest';
import express from 'express';
import { errorMiddleware, GoneError } from '@canaduck/errors';
import { serviceBearer, waitUntil, type TestDatabase, testFeedAccess } from '@canaduck/testing';
import type { EventBackbone } from '../src/event-backbone';
import { eventFeedRoutes } from '../src/feed-routes';
import { Outbox } from '../src/outbox';
import { appendCommitted, backbone, dbKinds, ev, eventsDatabase } from './support';

const DAY = 24 * 3600 * 1000;

describe.each(dbKinds)('retention and scrub on %s', (kind) => {
  let db: TestDatabase;
  let b: EventBackbone;
  let clock: number;
  beforeEach(async () => {
    db = await eventsDatabase(kind);
    clock = Date.now();
    b = backbone(db.knex, { now: () => clock, retentionMs: DAY, pruneEveryMs: 3_600_000 });
    await b.start();
  });
  afterEach(async () => {
    await b.stop();
    await db.destroy();
  });

  const write = async (knex: TestDatabase['knex'], n: number, at: number) => {
    const outbox = new Outbox({ knex, service: 'message', now: () => at });
    await knex.transaction((trx) => outbox.append(trx, [ev(n)]));
  };

  it('when events are older than retention, then they are pruned and an older cursor gets 410 resync_required', async () => {
    await write(db.knex, 1, clock - 3 * DAY);
    await write(db.knex, 2, clock - 2 * DAY);
    await write(db.knex, 3, clock - 1000);
    b.poke();
    await waitUntil(async () => (await b.head()) === 3, 'three events are sequenced');
    expect(await b.pruneNow()).toBe(2);
    expect(await b.store.meta()).toMatchObject({ prunedThrough: 2 });
    await expect(b.read(1, { limit: 10, waitMs: 0 })).rejects.toMatchObject({
      status: 410,
      code: 'resync_required',
      details: { first_available: 3 },
    });
    await expect(b.read(0, { limit: 10, waitMs: 0 })).rejects.toBeInstanceOf(GoneError);
    const page = await b.read(2, { limit: 10, waitMs: 0 });
    expect(page.events.map((e) => e.seq)).toEqual([3]);
    const app = express();
    app.use(eventFeedRoutes(b, testFeedAccess(`${b.service}-service`)));
    app.use(errorMiddleware());
    const res = await request(app).get('/internal/events?after=0').set('Authorization', serviceBearer('stats-service', 'message-service'));
    expect(res.status).toBe(410);
    expect(res.body).toMatchObject({ code: 'resync_required', first_available: 3 });
  });

  it('when pruning emptied the outbox, then the next event still gets the next seq, never a reused one', async () => {
    await write(db.knex, 1, clock - 3 * DAY);
    await write(db.knex, 2, clock - 2 * DAY);
    b.poke();
    await waitUntil(async () => (await b.head()) === 2, 'two events are sequenced');
    expect(await b.pruneNow()).toBe(2);
    expect(await b.head()).toBe(2);
    await write(db.knex, 3, clock);
    b.poke();
    await waitUntil(async () => (await b.head()) === 3, 'the new event is sequenced');
    expect((await b.read(2, { limit: 10, waitMs: 0 })).events.map((e) => [e.seq, (e.data as { id: number }).id])).toEqual([[3, 3]]);
  });

  it('when an old event follows a young one in seq order, then pruning stops before the young one', async () => {
    await write(db.knex, 1, clock - 3 * DAY);
    await write(db.knex, 2, clock - 1000);
    await write(db.knex, 3, clock - 2 * DAY);
    b.poke();
    await waitUntil(async () => (await b.head()) === 3, 'three events are sequenced');
    expect(await b.pruneNow()).toBe(1);
    expect((await b.read(1, { limit: 10, waitMs: 0 })).events.map((e) => e.seq)).toEqual([2, 3]);
  });

  it('when a subject is scrubbed, then its stored payloads are rewritten and the others untouched', async () => {
    const outbox = new Outbox({ knex: db.knex, service: 'message' });
    await appendCommitted(db.knex, [ev(1), { type: 'message.edited', data: { id: 1, text: 'edited' }, subject: 'message:1' }, ev(2)]);
    await db.knex.transaction((trx) => outbox.scrub(trx, 'message:1', (d) => ({ ...(d as object), text: '' })));
    b.poke();
    await waitUntil(async () => (await b.head()) === 3, 'three events are sequenced');
    const page = await b.read(0, { limit: 10, waitMs: 0 });
    expect(page.events.map((e) => e.data)).toEqual([
      { id: 1, text: '' },
      { id: 1, text: '' },
      { id: 2, text: 'text 2' },
    ]);
  });

  it('when scrubbed events are pruned, then their pending JetStream scrubs leave with them', async () => {
    // Stopped: its own first prune must not race the writes below; sequenced by hand instead.
    await b.stop();
    const outbox = new Outbox({ knex: db.knex, service: 'message', now: () => clock - 2 * DAY });
    await db.knex.transaction((trx) => outbox.append(trx, [ev(1), ev(2)]));
    await db.knex.transaction((trx) => outbox.scrub(trx, 'message:1', (d) => ({ ...(d as object), text: '' })));
    await write(db.knex, 3, clock);
    await db.knex.transaction((trx) => outbox.scrub(trx, 'message:3', (d) => ({ ...(d as object), text: '' })));
    const scrubbedIds = async () => (await db.knex('outbox_scrubs').orderBy('id').pluck('event_id')).map(Number);
    expect(await scrubbedIds()).toEqual([1, 3]);
    expect(await db.knex.transaction((trx) => b.store.sequencePending(trx, 10))).toBe(3);
    expect(await b.pruneNow()).toBe(2);
    expect(await scrubbedIds()).toEqual([3]);
  });
});
