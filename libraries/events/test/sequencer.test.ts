import type { Knex } from '@canaduck/db';
import type { TestDatabase } from '@canaduck/testing';
import { waitUntil } from '@canaduck/testing';
import type { EventBackbone } from '../src/event-backbone';
import { copyLegacyEvents } from '../src/migrations';
import { Outbox } from '../src/outbox';
import { appendCommitted, backbone, dbKinds, ev, eventsDatabase, mysqlOnly, range, readAll, sleep } from './support';

describe.each(dbKinds)('sequencer on %s', (kind) => {
  let db: TestDatabase;
  let b: EventBackbone;
  beforeEach(async () => {
    db = await eventsDatabase(kind);
    b = backbone(db.knex);
    await b.start();
  });
  afterEach(async () => {
    await b.stop();
    await db.destroy();
  });

  it('when events commit, then they get dense seqs 1..n in commit order with their type, data and write time', async () => {
    const before = Date.now();
    await appendCommitted(db.knex, [ev(1), ev(2)]);
    await appendCommitted(db.knex, [ev(3, 'message.deleted')]);
    b.poke();
    await waitUntil(async () => (await b.head()) === 3, 'three events are sequenced');
    const page = await b.read(0, { limit: 10, waitMs: 0 });
    expect(page.last_seq).toBe(3);
    expect(page.events.map((e) => [e.seq, e.type])).toEqual([
      [1, 'message.created'],
      [2, 'message.created'],
      [3, 'message.deleted'],
    ]);
    expect(page.events[0]).toMatchObject({ service: 'message', data: { id: 1, text: 'text 1' } });
    expect(Date.parse(page.events[0].at)).toBeGreaterThanOrEqual(before - 5);
  });

  it('when a transaction rolls back, then its events never exist and the next commit leaves no gap', async () => {
    const outbox = new Outbox({ knex: db.knex, service: 'message' });
    await appendCommitted(db.knex, [ev(1)]);
    await expect(
      db.knex.transaction(async (trx) => {
        await outbox.append(trx, [ev(2)]);
        throw new Error('change failed');
      }),
    ).rejects.toThrow('change failed');
    await appendCommitted(db.knex, [ev(3)]);
    b.poke();
    await waitUntil(async () => (await b.head()) === 2, 'two events are sequenced');
    const page = await b.read(0, { limit: 10, waitMs: 0 });
    expect(page.events.map((e) => [e.seq, (e.data as { id: number }).id])).toEqual([
      [1, 1],
      [2, 3],
    ]);
  });

  it('when many writers commit concurrently, then the seqs are exactly 1..n, each event once', async () => {
    const writers = kind === 'mysql' ? 20 : 5;
    await Promise.all(
      range(1, writers).map(async (w) => {
        for (let i = 0; i < 10; i++) {
          await appendCommitted(db.knex, [ev(w * 100 + i)]);
          b.poke();
        }
      }),
    );
    await waitUntil(async () => (await b.head()) === writers * 10, 'every event is sequenced');
    const page = await b.read(0, { limit: 5000, waitMs: 0 });
    expect(page.events.map((e) => e.seq)).toEqual(range(1, writers * 10));
    const ids = page.events.map((e) => (e.data as { id: number }).id).sort((a, c) => a - c);
    expect(new Set(ids).size).toBe(writers * 10);
  });

  it('when a legacy events table is copied in, then its seqs are kept and new events continue after the highest', async () => {
    await db.knex.schema.createTable('legacy_events', (t) => {
      t.bigIncrements('seq');
      t.string('type', 32).notNullable();
      t.text('data').notNullable();
      t.bigInteger('at').notNullable();
    });
    const written = Date.now() - 1000;
    await db.knex('legacy_events').insert([
      { seq: 1, type: 'message.created', data: JSON.stringify({ id: 1 }), at: written },
      { seq: 3, type: 'message.deleted', data: JSON.stringify({ id: 1 }), at: written + 1 },
    ]);
    expect(await copyLegacyEvents(db.knex, 'legacy_events', (_type, d) => `message:${(d as { id: number }).id}`)).toBe(2);
    await appendCommitted(db.knex, [ev(9)]);
    b.poke();
    await waitUntil(async () => (await b.head()) === 4, 'the new event follows the copied ones');
    const page = await b.read(0, { limit: 10, waitMs: 0 });
    expect(page.events.map((e) => [e.seq, e.type])).toEqual([
      [1, 'message.created'],
      [3, 'message.deleted'],
      [4, 'message.created'],
    ]);
    expect(page.events[0].at).toBe(new Date(written).toISOString());
  });

  it('when a long poll waits and an event commits, then it answers at once with the event', async () => {
    await appendCommitted(db.knex, [ev(1)]);
    b.poke();
    await waitUntil(async () => (await b.head()) === 1, 'the first event is sequenced');
    const started = Date.now();
    const pending = b.read(1, { limit: 10, waitMs: 5000 });
    await sleep(100);
    await appendCommitted(db.knex, [ev(2)]);
    b.poke();
    const page = await pending;
    expect(page.events.map((e) => e.seq)).toEqual([2]);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('when a long poll is aborted or times out, then it answers an empty page with last_seq = after', async () => {
    const abort = new AbortController();
    const pending = b.read(0, { limit: 10, waitMs: 10_000, signal: abort.signal });
    setTimeout(() => abort.abort(), 50);
    await expect(pending).resolves.toEqual({ events: [], last_seq: 0 });
    const started = Date.now();
    await expect(b.read(0, { limit: 10, waitMs: 150 })).resolves.toEqual({ events: [], last_seq: 0 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe.each(mysqlOnly())('sequencer with a late commit on %s', (kind) => {
  let db: TestDatabase;
  const backbones: EventBackbone[] = [];
  beforeEach(async () => {
    db = await eventsDatabase(kind);
  });
  afterEach(async () => {
    await Promise.all(backbones.splice(0).map((x) => x.stop()));
    await db.destroy();
  });

  it('when a transaction commits after later ones, then it is sequenced after them and no reader skips it or sees a gap', async () => {
    const b = backbone(db.knex);
    backbones.push(b);
    await b.start();
    // A reader that follows the feed all along with its cursor, as a consumer would.
    const seen: number[] = [];
    let stop = false;
    const reader = (async () => {
      let after = 0;
      while (!stop) {
        const page = await b.read(after, { limit: 100, waitMs: 50 });
        seen.push(...page.events.map((e) => e.seq));
        after = page.last_seq;
      }
    })();
    const late = await db.knex.transaction();
    await new Outbox({ knex: db.knex, service: 'message' }).append(late, [ev(1)]);
    for (let i = 2; i <= 6; i++) {
      await appendCommitted(db.knex, [ev(i)]);
      b.poke();
    }
    await waitUntil(async () => (await b.head()) === 5, 'the five later commits are sequenced');
    await sleep(100);
    await late.commit();
    b.poke();
    await waitUntil(() => seen.length === 6, 'the reader has seen all six events', 5000);
    stop = true;
    await reader;
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    const page = await b.read(0, { limit: 10, waitMs: 0 });
    // The late event (id 1, written first) got the last seq.
    expect(page.events.map((e) => (e.data as { id: number }).id)).toEqual([2, 3, 4, 5, 6, 1]);
  });

  it('when two replicas sequence with writers on both, then one leader gives one dense sequence', async () => {
    const [a, c] = [backbone(db.knex), backbone(db.knex)];
    backbones.push(a, c);
    await a.start();
    await c.start();
    await waitUntil(() => a.isLeader || c.isLeader, 'a leader is elected');
    await Promise.all(
      range(1, 20).map(async (w) => {
        for (let i = 0; i < 10; i++) {
          await appendCommitted(db.knex as Knex, [ev(w * 100 + i)]);
          (w % 2 ? a : c).poke();
        }
      }),
    );
    await waitUntil(async () => (await a.head()) === 200, 'every event is sequenced');
    expect([a.isLeader, c.isLeader].filter(Boolean)).toHaveLength(1);
    expect(await readAll(c)).toEqual(range(1, 200));
  });

  it('when the leader connection is killed, then the other replica takes over and sequencing goes on densely', async () => {
    const [a, c] = [backbone(db.knex), backbone(db.knex)];
    backbones.push(a, c);
    await a.start();
    await waitUntil(() => a.isLeader, 'the first replica leads');
    await c.start();
    await appendCommitted(db.knex, [ev(1), ev(2)]);
    a.poke();
    await waitUntil(async () => (await a.head()) === 2, 'the first events are sequenced');
    expect(c.isLeader).toBe(false);
    const id = await a.leaderConnectionId();
    await db.knex.raw(`KILL ${Number(id)}`);
    await waitUntil(() => c.isLeader, 'the second replica is elected', 5000);
    await appendCommitted(db.knex, [ev(3)]);
    c.poke();
    await waitUntil(async () => (await c.head()) === 3, 'the new leader sequences', 5000);
    expect(await readAll(a)).toEqual([1, 2, 3]);
  });
});
