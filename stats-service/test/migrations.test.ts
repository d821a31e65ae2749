import { runMigrations } from '@canaduck/db';
import { createTestDatabase, testDatabases } from '@canaduck/testing';
import { migrations } from '../src/migrations';

describe.each(testDatabases())('stats migrations (%s)', (kind) => {
  it('when a database from before 002 holds private-message texts, then the migration blanks them and keeps counts and public texts', async () => {
    const db = await createTestDatabase('stats-service', migrations.slice(0, 1), kind);
    try {
      const row = { channel_key: '', from_key: 'roger', pseudo: 'roger', hour: 1, created_at: 1, reactions_count: 3 };
      await db.knex('stats_messages').insert([
        { ...row, id: 1, channel: null, private: true, text: 'between roger and ginette' },
        { ...row, id: 2, channel: 'tech', channel_key: 'tech-id1', private: false, text: 'hello tech' },
      ]);

      await runMigrations(db.knex, migrations);

      const rows = await db.knex('stats_messages').orderBy('id').select('id', 'text', 'reactions_count');
      expect(rows.map((r) => [Number(r.id), r.text, Number(r.reactions_count)])).toEqual([
        [1, '', 3],
        [2, 'hello tech', 3],
      ]);
    } finally {
      await db.destroy();
    }
  });
});
