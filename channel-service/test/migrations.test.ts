import { runMigrations } from '@canaduck/db';
import { createTestDatabase, testDatabases } from '@canaduck/testing';
import { migrations } from '../src/migrations';

describe.each(testDatabases())('migrations (%s)', (kind) => {
  it('when a database is migrated, then knex records each migration under the name databases migrated before already hold', async () => {
    const db = await createTestDatabase('channel-service', migrations, kind);
    try {
      const recorded = (await db.knex('knex_migrations').orderBy('id').select('name')) as Array<{ name: string }>;
      expect(recorded.map((r) => r.name)).toEqual([
        '001_channels',
        'outbox-001-events-and-meta',
        'outbox-002-nats-scrubs',
        '003_stream_cursors',
      ]);
    } finally {
      await db.destroy();
    }
  });

  it('when the migrations run again on a migrated database, then nothing runs twice', async () => {
    const db = await createTestDatabase('channel-service', migrations, kind);
    try {
      await runMigrations(db.knex, migrations);
      const [{ n }] = (await db.knex('knex_migrations').count('* as n')) as Array<{ n: unknown }>;
      expect(Number(n)).toBe(migrations.length);
      expect(await db.knex.schema.hasTable('channel_bans')).toBe(true);
      expect(await db.knex.schema.hasTable('outbox_events')).toBe(true);
    } finally {
      await db.destroy();
    }
  });
});
