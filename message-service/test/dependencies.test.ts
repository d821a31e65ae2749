import nock from 'nock';
import request from 'supertest';
import { bearer, testDatabases, uniqueName } from '@canaduck/testing';
import { CHANNEL_URL, startService, unusedPort, USER_URL, World } from './support';

describe.each(testDatabases())('other services on %s', (kind) => {
  afterEach(() => nock.cleanAll());

  test('when channel-service refuses connections, then posting and reading answer 503 at once and nothing is written', async () => {
    const port = await unusedPort();
    const t = await startService(kind, { channelUrl: `http://127.0.0.1:${port}` });
    try {
      const roger = uniqueName('roger');
      const channel = uniqueName('chan');
      const started = Date.now();
      const posted = await request(t.app).post('/msg').set('Authorization', bearer(roger)).send({ channel, text: 'x' });
      expect(posted.status).toBe(503);
      expect(posted.body).toEqual({ error: 'channel-service unavailable', code: 'dependency_unavailable' });
      const read = await request(t.app).get(`/msg?channel=${channel}`).set('Authorization', bearer(roger));
      expect(read.status).toBe(503);
      // At once: far below the 20 s client timeout, with room for a loaded machine.
      expect(Date.now() - started).toBeLessThan(4000);
      expect(await t.db.knex('messages').count({ n: '*' }).first()).toEqual({ n: 0 });
      expect(await t.db.knex('outbox_events').count({ n: '*' }).first()).toEqual({ n: 0 });
    } finally {
      await t.close();
    }
  });

  test('when user-service refuses connections, then a private message answers 503', async () => {
    const port = await unusedPort();
    const t = await startService(kind, { userUrl: `http://127.0.0.1:${port}` });
    try {
      const res = await request(t.app)
        .post('/msg')
        .set('Authorization', bearer(uniqueName('a')))
        .send({ to: uniqueName('b'), text: 'x' });
      expect(res.status).toBe(503);
      expect(res.body.error).toBe('user-service unavailable');
    } finally {
      await t.close();
    }
  });

  test('when channel-service answers 500, then 503 and the answer is not cached', async () => {
    const t = await startService(kind, { accessCacheMs: 60_000 });
    try {
      const roger = uniqueName('roger');
      const channel = uniqueName('chan');
      nock(CHANNEL_URL)
        .get(/\/internal\/channels\/.*/)
        .reply(500, { error: 'boom' });
      const failed = await request(t.app).post('/msg').set('Authorization', bearer(roger)).send({ channel, text: 'x' });
      expect(failed.status).toBe(503);
      const world = new World();
      world.channel(channel, { owner: roger });
      world.install();
      expect((await request(t.app).post('/msg').set('Authorization', bearer(roger)).send({ channel, text: 'x' })).status).toBe(201);
    } finally {
      await t.close();
    }
  });

  test('when posting several times within ACCESS_CACHE_MS, then channel-service is asked once, with a service token and the JWT admin flag', async () => {
    const t = await startService(kind, { accessCacheMs: 60_000 });
    try {
      const roger = uniqueName('roger');
      const channel = uniqueName('chan');
      const world = new World();
      world.channel(channel, { owner: roger });
      const seen: Array<{ auth: string | undefined; admin: string | null }> = [];
      nock(CHANNEL_URL)
        .persist()
        .get(/\/internal\/channels\/.*/)
        .reply(function (uri) {
          seen.push({
            auth: this.req.headers.authorization as string | undefined,
            admin: new URL(uri, CHANNEL_URL).searchParams.get('admin'),
          });
          return [200, world.access(channel, roger, false)];
        });
      for (let i = 0; i < 3; i++) {
        await request(t.app)
          .post('/msg')
          .set('Authorization', bearer(roger))
          .send({ channel, text: `m${i}` })
          .expect(201);
      }
      expect(seen).toHaveLength(1);
      expect(seen[0].auth).toMatch(/^Bearer /);
      expect(seen[0].admin).toBe('false');
      await request(t.app)
        .post('/msg')
        .set('Authorization', bearer(roger, ['user', 'admin']))
        .send({ channel, text: 'admin' })
        .expect(201);
      expect(seen.map((s) => s.admin)).toEqual(['false', 'true']);
    } finally {
      await t.close();
    }
  });

  test('when user-service says the recipient is unknown, then 404', async () => {
    const t = await startService(kind);
    try {
      nock(USER_URL)
        .get(/\/internal\/users\/.*/)
        .reply(404, { error: 'user not found' });
      const res = await request(t.app)
        .post('/msg')
        .set('Authorization', bearer(uniqueName('a')))
        .send({ to: uniqueName('b'), text: 'x' });
      expect(res.status).toBe(404);
    } finally {
      await t.close();
    }
  });
});
