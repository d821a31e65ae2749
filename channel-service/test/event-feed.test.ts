import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { natsStreamName } from '@canaduck/events';
import { bearer, serviceBearer, testDatabases, uniqueName, waitUntil } from '@canaduck/testing';
import { createChannel, feed, join, startApp, type TestApp } from './support';

const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** GET /internal/events: who may read it, order under concurrent writers, and the NATS relay. */
describe.each(testDatabases())('the channel event stream (%s)', (kind) => {
  describe('GET /internal/events', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startApp(kind);
    });
    afterAll(async () => t.close());

    it('when it is called without a service token or with a user token, then 401; with a service token, then 200', async () => {
      await createChannel(t.app, uniqueName());
      expect((await request(t.app).get('/internal/events')).status).toBe(401);
      const user = await request(t.app)
        .get('/internal/events')
        .set('Authorization', bearer(uniqueName(), ['user', 'admin']));
      expect(user.status).toBe(401);
      expect(user.body.code).toEqual(expect.any(String));
      const ok = await request(t.app)
        .get('/internal/events?after=0&wait=1')
        .set('Authorization', serviceBearer('message-service', 'channel-service'));
      expect(ok.status).toBe(200);
      expect(ok.body.events[0]).toMatchObject({ service: 'channel', seq: 1, type: 'channel.created' });
    });

    it('when the cursor is malformed, then 400 invalid_paging', async () => {
      const res = await request(t.app)
        .get('/internal/events?after=-1')
        .set('Authorization', serviceBearer('message-service', 'channel-service'));
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('invalid_paging');
    });

    it('when many users join at once (some twice), then each join is one event and seq is dense, in commit order', async () => {
      const name = await createChannel(t.app, uniqueName());
      const users = Array.from({ length: 40 }, () => uniqueName('j'));
      const joins = [...users, ...users.slice(0, 10)].map((u) =>
        request(t.app).post(`/channel/${name}/join`).set('Authorization', bearer(u)),
      );
      const answers = await Promise.all(joins);
      expect(answers.map((r) => r.status)).toEqual(answers.map(() => 200));
      let all: Awaited<ReturnType<typeof feed>> = [];
      await waitUntil(async () => {
        all = await feed(t.app);
        return all.filter((e) => e.data.channel === name).length >= 42;
      }, 'every join is in the feed');
      expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i + 1));
      const joined = all.filter((e) => e.data.channel === name && e.type === 'channel.member_joined').map((e) => e.data.pseudo);
      expect(joined.sort()).toEqual([all.find((e) => e.data.channel === name)!.data.by as string, ...users].sort());
    });
  });

  describe('with NATS_URL', () => {
    const namespace = `chtest${randomBytes(4).toString('hex')}`;
    let t: TestApp;
    beforeAll(async () => {
      t = await startApp(kind, undefined, undefined, { natsUrl: NATS_URL, natsNamespace: namespace });
    });
    afterAll(async () => {
      await t.close();
      const nc = await connect({ servers: NATS_URL });
      await (await jetstreamManager(nc)).streams.delete(natsStreamName('channel', namespace)).catch(() => undefined);
      await nc.close();
    });

    it('when channel state changes, then the events reach JetStream with Nats-Msg-Id channel:<seq> and stream seq == event seq', async () => {
      const owner = uniqueName();
      const name = await createChannel(t.app, owner);
      const user = uniqueName();
      await join(t.app, name, user);
      const nc = await connect({ servers: NATS_URL });
      try {
        const jsm = await jetstreamManager(nc);
        const stream = natsStreamName('channel', namespace);
        await waitUntil(async () => (await jsm.streams.info(stream)).state.last_seq >= 3, 'three events are relayed');
        const events = await feed(t.app);
        for (const e of events) {
          const stored = (await jsm.streams.getMessage(stream, { seq: e.seq }))!;
          expect(stored.header?.get('Nats-Msg-Id')).toBe(`channel:${e.seq}`);
          expect(stored.subject).toBe(`${namespace}.events.channel.${e.type}`);
          expect(stored.json()).toEqual(e);
        }
        expect(events.map((e) => [e.type, e.data.pseudo ?? null])).toEqual([
          ['channel.created', null],
          ['channel.member_joined', owner],
          ['channel.member_joined', user],
        ]);
      } finally {
        await nc.close();
      }
    });
  });
});
