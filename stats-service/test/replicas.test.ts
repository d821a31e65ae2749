import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import request from 'supertest';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { ServiceTokenMinter } from '@canaduck/auth';
import { EventBackbone, eventFeedRoutes, natsStreamName, Outbox, outboxMigrations } from '@canaduck/events';
import { createServiceApp } from '@canaduck/service-kit';
import {
  bearer,
  createTestDatabase,
  testDatabases,
  waitUntil,
  type TestDatabase,
  testServiceKeys,
  testFeedAccess,
} from '@canaduck/testing';
import { createClients } from '../src/clients';
import { migrations } from '../src/migrations';
import { CHANNEL_URL, createStatsInstance, FakeServices, logger, USER_URL, type StatsInstance } from './support';

const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const admin = bearer('boss', ['user', 'admin']);
const cases = testDatabases().flatMap((kind) => (['http', 'nats'] as const).map((transport) => [kind, transport] as const));

describe.each(cases)('two stats replicas on one database (%s, %s)', (kind, transport) => {
  const ns = `stats${randomBytes(4).toString('hex')}`;
  let feedDb: TestDatabase;
  let statsDb: TestDatabase;
  let backbone: EventBackbone;
  let server: Server;
  let replicas: StatsInstance[] = [];

  beforeAll(async () => {
    // message-service's stream, for real: the library's backbone and feed route over a throwaway database.
    feedDb = await createTestDatabase('message-feed', outboxMigrations, kind);
    backbone = new EventBackbone({
      knex: feedDb.knex,
      service: 'message',
      logger,
      pollMs: 10,
      natsUrl: transport === 'nats' ? NATS_URL : undefined,
      natsNamespace: ns,
    });
    await backbone.start();
    const app = createServiceApp({
      name: 'message-service',
      logger,
      routes: (a) => a.use(eventFeedRoutes(backbone, testFeedAccess(`${backbone.service}-service`))),
    });
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    statsDb = await createTestDatabase('stats-service', migrations, kind);
  });
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.close()));
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await backbone.stop();
    await feedDb.destroy();
    await statsDb.destroy();
    nock.cleanAll();
    if (transport === 'nats') {
      const nc = await connect({ servers: NATS_URL });
      await (await jetstreamManager(nc)).streams.delete(natsStreamName('message', ns)).catch(() => undefined);
      await nc.close();
    }
  });

  it('when events stream in while both replicas follow, then each event is applied once and both serve the exact counts', async () => {
    const fake = new FakeServices();
    fake.install();
    fake.channel('tech');
    const feedUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    replicas = [0, 1].map(() =>
      createStatsInstance(statsDb.knex, {
        batchSize: 7,
        clients: createClients({
          config: {
            MESSAGE_SERVICE_URL: feedUrl,
            CHANNEL_SERVICE_URL: CHANNEL_URL,
            USER_SERVICE_URL: USER_URL,
            HTTP_TIMEOUT_MS: 10_000,
            STATS_FEED_WAIT_S: 1,
            NATS_URL: transport === 'nats' ? NATS_URL : undefined,
          },
          serviceTokens: new ServiceTokenMinter(testServiceKeys('stats-service')),
          logger,
          natsNamespace: ns,
        }),
      }),
    );
    await Promise.all(replicas.map((r) => r.poller.start()));

    const outbox = new Outbox({ knex: feedDb.knex, service: 'message' });
    const perUser = new Map<string, number>();
    let events = 0;
    let id = 0;
    // 20 writers x 10 transactions of 1 to 3 events (one of them deletes), while both replicas follow.
    await Promise.all(
      Array.from({ length: 20 }, async (_, w) => {
        const from = `user${w % 5}`;
        for (let i = 0; i < 10; i++) {
          const batch = Array.from({ length: 1 + (i % 3) }, () => ++id);
          const evs: Array<{ type: string; data: unknown }> = batch.map((mid) => ({
            type: 'message.created',
            data: {
              id: mid,
              channel: 'tech',
              channel_id: 'tech-id1',
              to: null,
              from,
              text: `m${mid}`,
              timestamp: new Date().toISOString(),
              reply_to: null,
            },
          }));
          if (i === 9) evs.push({ type: 'message.deleted', data: { id: batch[0] } });
          await feedDb.knex.transaction((trx) => outbox.append(trx, evs));
          backbone.poke();
          events += evs.length;
          perUser.set(from, (perUser.get(from) ?? 0) + batch.length - (i === 9 ? 1 : 0));
        }
      }),
    );
    await waitUntil(async () => (await feedDb.knex('outbox_events').whereNull('seq').first()) === undefined, 'every event sequenced');
    const head = await backbone.head();
    expect(head).toBe(events);
    const applied = async () => Number((await statsDb.knex('stats_state').first('last_seq')).last_seq);
    await waitUntil(async () => (await applied()) >= head, 'stats applied the whole stream', 20_000);

    expect(replicas[0].poller.applied + replicas[1].poller.applied).toBe(events);
    expect(await applied()).toBe(events);
    const expected = [...perUser.entries()]
      .map(([pseudo, messages]) => ({ pseudo, messages }))
      .sort((a, b) => b.messages - a.messages || a.pseudo.localeCompare(b.pseudo));
    for (const r of replicas) {
      const res = await request(r.app).get('/stats/messages-per-user?limit=100&include_private=true').set('Authorization', admin);
      expect(res.status).toBe(200);
      expect(res.body.users).toEqual(expected);
    }
  }, 60_000);
});
