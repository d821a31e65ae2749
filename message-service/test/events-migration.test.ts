import request from 'supertest';
import nock from 'nock';
import { runMigrations } from '@canaduck/db';
import { bearer, createTestDatabase, serviceBearer, testDatabases, uniqueName, waitUntil } from '@canaduck/testing';
import { migrations } from '../src/migrations';
import { startService, World } from './support';

describe.each(testDatabases())('a database migrated by the old code (%s)', (kind) => {
  afterAll(() => nock.cleanAll());

  test('when migration 006 runs, then the old events keep their seqs and texts, and new events continue after the highest one', async () => {
    // The schema as the old code left it: migrations 001 to 005, its `events` table and trigger.
    const db = await createTestDatabase('message-service', migrations.slice(0, 5), kind);
    const insert = (id: number, text: string) =>
      db
        .knex('messages')
        .insert({ id, channel: 'tech', channel_id: 'c1', from_pseudo: 'roger', from_key: 'roger', text, created_at: Date.now() });
    await insert(1, 'first');
    await insert(2, 'second');
    // A rolled-back transaction left a gap at seq 3 (MySQL does not reuse an auto-increment).
    await db.knex('events').insert({ seq: 4, type: 'message.deleted', data: '{"id":2}', at: Date.now() });
    const old = (await db.knex('events').orderBy('seq').select('seq', 'type')) as Array<{ seq: number; type: string }>;
    expect(old.map((e) => [Number(e.seq), e.type])).toEqual([
      [1, 'message.created'],
      [2, 'message.created'],
      [4, 'message.deleted'],
    ]);

    await runMigrations(db.knex, migrations);
    expect(await db.knex.schema.hasTable('events')).toBe(false);
    const world = new World();
    world.install();
    const roger = uniqueName('roger');
    const channel = uniqueName('chan');
    world.channel(channel, { owner: roger });
    const t = await startService(kind, { db });
    try {
      await request(t.app).post('/msg').set('Authorization', bearer(roger)).send({ channel, text: 'after the upgrade' }).expect(201);
      let page = { events: [] as Array<{ seq: number; type: string; data: { text?: string } }> };
      await waitUntil(async () => {
        page = (
          await request(t.app).get('/internal/events?after=0').set('Authorization', serviceBearer('stats-service', 'message-service'))
        ).body;
        return page.events.length === 4;
      }, 'the new event sequenced');
      expect(page.events.map((e) => [e.seq, e.type])).toEqual([
        [1, 'message.created'],
        [2, 'message.created'],
        [4, 'message.deleted'],
        [5, 'message.created'],
      ]);
      expect(page.events[0].data.text).toBe('first');
      // A cursor from the old feed (stats' last_seq) reads on without a jump.
      const next = (
        await request(t.app).get('/internal/events?after=4').set('Authorization', serviceBearer('stats-service', 'message-service'))
      ).body;
      expect(next.events.map((e: { data: { text: string } }) => e.data.text)).toEqual(['after the upgrade']);
    } finally {
      await t.close();
    }
  });
});
