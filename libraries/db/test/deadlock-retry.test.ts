import { randomBytes } from 'node:crypto';
import { createDatabase, retryingTransactor, type Knex } from '@canaduck/db';

const mysqlUrl = process.env.TEST_MYSQL_URL?.replace(/\/+$/, '');
const onMysql = mysqlUrl ? it : it.skip;

async function pairTable(knex: Knex): Promise<void> {
  await knex.schema.createTable('pair', (t) => {
    t.integer('id').primary();
    t.integer('n').notNullable();
  });
  await knex('pair').insert([
    { id: 1, n: 0 },
    { id: 2, n: 0 },
  ]);
}

describe('retryingTransactor', () => {
  it('when the work fails with an ordinary error, then it runs once and the error reaches the caller', async () => {
    const knex = await createDatabase({ service: 'retry', sqliteFile: ':memory:' });
    try {
      let runs = 0;
      const db = retryingTransactor(knex);
      await expect(
        db.transaction(async () => {
          runs++;
          throw new Error('not a lock conflict');
        }),
      ).rejects.toThrow('not a lock conflict');
      expect(runs).toBe(1);
    } finally {
      await knex.destroy();
    }
  });

  it('when the database reports a deadlock each time, then the work runs the set number of times and the error reaches the caller', async () => {
    const knex = await createDatabase({ service: 'retry', sqliteFile: ':memory:' });
    try {
      let runs = 0;
      const db = retryingTransactor(knex, { attempts: 3, maxBackoffMs: 1 });
      const deadlock = Object.assign(new Error('Deadlock found when trying to get lock'), { code: 'ER_LOCK_DEADLOCK', errno: 1213 });
      await expect(
        db.transaction(async () => {
          runs++;
          throw deadlock;
        }),
      ).rejects.toBe(deadlock);
      expect(runs).toBe(3);
    } finally {
      await knex.destroy();
    }
  });

  onMysql('when two transactions lock two rows in opposite orders on MySQL, then both end committed, none fails', async () => {
    const url = `${mysqlUrl}/t_retry_${randomBytes(4).toString('hex')}`;
    const knex = await createDatabase({ service: 'retry', url, poolMax: 4 });
    try {
      await pairTable(knex);
      const db = retryingTransactor(knex);
      let bothLockedFirst!: () => void;
      let arrived = 0;
      const rendezvous = new Promise<void>((resolve) => (bothLockedFirst = resolve));
      const crossing = (first: number, second: number) =>
        db.transaction(async (trx) => {
          await trx('pair').where({ id: first }).increment('n', 1);
          // The first runs wait for each other so that the deadlock is certain; retries go straight on.
          if (++arrived === 2) bothLockedFirst();
          if (arrived <= 2) await rendezvous;
          await trx('pair').where({ id: second }).increment('n', 1);
        });
      await Promise.all([crossing(1, 2), crossing(2, 1)]);
      const rows = await knex('pair').orderBy('id');
      expect(rows.map((r) => Number(r.n))).toEqual([2, 2]);
    } finally {
      await knex.raw('DROP DATABASE IF EXISTS ??', [knex.client.config.connection.database]);
      await knex.destroy();
    }
  });
});
