import express from 'express';
import request from 'supertest';
import { errorMiddleware } from '@canaduck/errors';
import { ApiDocs } from '@canaduck/service-kit';
import { serviceBearer, testServiceKeys, bearer, type TestDatabase } from '@canaduck/testing';
import { waitUntil } from '@canaduck/testing';
import type { EventBackbone } from '../src/event-backbone';
import { eventFeedRoutes } from '../src/feed-routes';
import { appendCommitted, backbone, dbKinds, ev, eventsDatabase, sleep } from './support';

describe.each(dbKinds)('GET /internal/events on %s', (kind) => {
  let db: TestDatabase;
  let b: EventBackbone;
  let app: express.Express;
  let docs: ApiDocs;
  beforeEach(async () => {
    db = await eventsDatabase(kind);
    b = backbone(db.knex);
    await b.start();
    docs = new ApiDocs();
    app = express();
    app.use(
      eventFeedRoutes(b, { serviceKeys: testServiceKeys('message-service'), allowedCallers: ['stats-service', 'irc-service'], docs }),
    );
    app.use(errorMiddleware());
  });
  afterEach(async () => {
    await b.stop();
    await db.destroy();
  });

  const sequenced = async (n: number) => {
    b.poke();
    await waitUntil(async () => (await b.head()) === n, `${n} events are sequenced`);
  };

  it('when a service reads after a cursor, then it gets { events, last_seq } in seq order from there', async () => {
    await appendCommitted(db.knex, [ev(1), ev(2), ev(3)]);
    await sequenced(3);
    const res = await request(app)
      .get('/internal/events?after=1&limit=5')
      .set('Authorization', serviceBearer('stats-service', 'message-service'));
    expect(res.status).toBe(200);
    expect(res.body.last_seq).toBe(3);
    expect(res.body.events).toEqual([
      expect.objectContaining({ service: 'message', seq: 2, type: 'message.created', data: { id: 2, text: 'text 2' } }),
      expect.objectContaining({ seq: 3 }),
    ]);
    const empty = await request(app)
      .get('/internal/events?after=3')
      .set('Authorization', serviceBearer('stats-service', 'message-service'));
    expect(empty.body).toEqual({ events: [], last_seq: 3 });
  });

  it('when the caller has no service token, a user token or is not allowed, then 401 or 403', async () => {
    expect((await request(app).get('/internal/events')).status).toBe(401);
    const user = await request(app).get('/internal/events').set('Authorization', bearer('roger'));
    expect(user.status).toBe(401);
    const other = await request(app).get('/internal/events').set('Authorization', serviceBearer('gateway-service', 'message-service'));
    expect(other.status).toBe(403);
    expect(other.body.code).toBe('service_not_allowed');
  });

  it.each(['after=-1', 'after=abc', 'limit=0', 'limit=5001', 'wait=31', 'wait=x'])(
    'when the query is %s, then 400 invalid_paging',
    async (q) => {
      const res = await request(app).get(`/internal/events?${q}`).set('Authorization', serviceBearer('stats-service', 'message-service'));
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('invalid_paging');
    },
  );

  it('when a reader long-polls and an event commits, then the answer comes at once with it', async () => {
    const started = Date.now();
    const pending = request(app)
      .get('/internal/events?after=0&wait=10')
      .set('Authorization', serviceBearer('stats-service', 'message-service'));
    const answered = pending.then((r) => r);
    await sleep(200);
    await appendCommitted(db.knex, [ev(1)]);
    b.poke();
    const res = await answered;
    expect(res.status).toBe(200);
    expect(res.body.events.map((e: { seq: number }) => e.seq)).toEqual([1]);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('when docs are given, then the route is described with its query and answer', () => {
    const doc = docs.document({ title: 't', description: 'd' }) as {
      paths: Record<string, { get: { parameters: Array<{ name: string }> } }>;
    };
    expect(doc.paths['/internal/events'].get.parameters.map((p) => p.name).sort()).toEqual(['after', 'limit', 'wait']);
  });
});
