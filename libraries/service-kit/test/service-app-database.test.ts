import pino from 'pino';
import request from 'supertest';
import { createDatabase } from '@canaduck/db';
import { createServiceApp } from '@canaduck/service-kit';

// On its own file because it opens SQLite, which the Node 24 CI step leaves out (.ci/node24-tests.sh).
describe('createServiceApp: /ready with the database', () => {
  it('when the app is given its knex, then /ready checks the database: 200 while it answers, 503 once it is closed', async () => {
    const knex = await createDatabase({ service: 'ready-sample', sqliteFile: ':memory:' });
    const app = createServiceApp({ name: 'sample-service', logger: pino({ level: 'silent' }), knex, routes: () => undefined });
    const up = await request(app).get('/ready');
    expect(up.status).toBe(200);
    expect(up.body.checks).toEqual({ database: true });
    await knex.destroy();
    const down = await request(app).get('/ready');
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ code: 'not_ready', checks: { database: false } });
  });
});
