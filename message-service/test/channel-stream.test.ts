import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Router } from 'express';
import request from 'supertest';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { EventBackbone, eventFeedRoutes, natsStreamName, Outbox, outboxMigrations } from '@canaduck/events';
import { createLogger } from '@canaduck/logging';
import { createServiceApp } from '@canaduck/service-kit';
import {
  bearer,
  createTestDatabase,
  testDatabases,
  uniqueName,
  waitUntil,
  type TestDatabase,
  type TestDbKind,
  testFeedAccess,
} from '@canaduck/testing';
import { startService, World, type TestApp } from './support';

const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const logger = createLogger('channel-feed-test', 'silent');

/**
 * A small channel-service over a real HTTP server: its access route answers from a World, and its
 * event stream is a real one (the library's EventBackbone + eventFeedRoutes over a throwaway
 * database, relayed to NATS when asked). Changes to the World are emitted as channel events.
 */
class ChannelFeed {
  readonly world = new World();
  feedCalls = 0;
  private server!: Server;
  private db!: TestDatabase;
  backbone!: EventBackbone;
  private outbox!: Outbox;
  url = '';

  async start(kind: TestDbKind, o: { natsNamespace?: string; feed?: boolean }): Promise<void> {
    this.db = await createTestDatabase('channel-feed', outboxMigrations, kind);
    this.outbox = new Outbox({ knex: this.db.knex, service: 'channel' });
    this.backbone = new EventBackbone({
      knex: this.db.knex,
      service: 'channel',
      logger,
      pollMs: 10,
      natsUrl: o.natsNamespace ? NATS_URL : undefined,
      natsNamespace: o.natsNamespace,
    });
    await this.backbone.start();
    const access = Router().get('/internal/channels/:name/access/:pseudo', (req, res) => {
      res.json(this.world.access(String(req.params.name), String(req.params.pseudo), req.query.admin === 'true'));
    });
    const feed = Router().use('/internal/events', (_req, _res, next) => (this.feedCalls++, next()));
    const app = createServiceApp({
      name: 'channel-service',
      logger,
      routes: (a) => {
        a.use(access);
        a.use(feed);
        // Without the feed: channel-service as it is before it has a stream (404).
        if (o.feed !== false) a.use(eventFeedRoutes(this.backbone, testFeedAccess(`${this.backbone.service}-service`)));
      },
    });
    this.server = createServer(app);
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Writes a channel event the way channel-service does: in a transaction, then a poke. */
  async emit(type: string, data: Record<string, unknown>): Promise<void> {
    await this.db.knex.transaction((trx) => this.outbox.append(trx, [{ type, data: { by: null, ...data } }]));
    this.backbone.poke();
  }

  /** The head once every emitted event has its seq (the sequencer runs just after each commit). */
  async sequencedHead(): Promise<number> {
    await waitUntil(async () => (await this.db.knex('outbox_events').whereNull('seq').first()) === undefined, 'channel events sequenced');
    return this.backbone.head();
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
    await this.backbone.stop();
    await this.db.destroy();
  }
}

async function deleteStreams(namespace: string): Promise<void> {
  const nc = await connect({ servers: NATS_URL });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(natsStreamName('channel', namespace)).catch(() => undefined);
  await jsm.streams.delete(natsStreamName('message', namespace)).catch(() => undefined);
  await nc.close();
}

const cases = testDatabases().flatMap((kind) => (['http', 'nats'] as const).map((transport) => [kind, transport] as const));

describe.each(cases)('channel stream -> access cache (%s, %s)', (kind, transport) => {
  const ns = `msg${randomBytes(4).toString('hex')}`;
  const channels = new ChannelFeed();
  const { world } = channels;
  let t: TestApp;

  beforeAll(async () => {
    await channels.start(kind, { natsNamespace: transport === 'nats' ? ns : undefined });
    // A long TTL: only the stream can make a change visible within these tests.
    t = await startService(kind, {
      channelUrl: channels.url,
      accessCacheMs: 60_000,
      followChannels: true,
      natsUrl: transport === 'nats' ? NATS_URL : undefined,
      natsNamespace: ns,
    });
  });
  afterAll(async () => {
    await t.close();
    await channels.stop();
    if (transport === 'nats') await deleteStreams(ns);
  });

  /** Resolves once message-service has applied every channel event emitted so far; answers how long it took. */
  const delivered = async (): Promise<number> => {
    const began = Date.now();
    const head = await channels.sequencedHead();
    await waitUntil(() => t.channelFollower.position >= head, 'channel events applied', 5000, 5);
    return Date.now() - began;
  };
  const read = (who: string, channel: string) => request(t.app).get(`/msg?channel=${channel}`).set('Authorization', bearer(who));
  const post = (who: string, channel: string, text: string) =>
    request(t.app).post('/msg').set('Authorization', bearer(who)).send({ channel, text });

  test('when #x is deleted and created again within 100 ms, then a reader who had read it never sees an old message', async () => {
    const [roger, ginette] = [uniqueName('roger'), uniqueName('ginette')];
    const x = uniqueName('x');
    const old = world.channel(x, { owner: roger, members: [ginette] });
    await channels.emit('channel.created', { channel: x, channel_id: old.channelId });
    await post(roger, x, 'old secret').expect(201);
    // Both read #x: their access answers (old channel_id, can_read) are cached for 60 s.
    expect((await read(ginette, x).expect(200)).body.messages).toHaveLength(1);
    expect((await read(roger, x).expect(200)).body.messages).toHaveLength(1);

    world.channels.delete(x);
    await channels.emit('channel.deleted', { channel: x, channel_id: old.channelId });
    await new Promise((r) => setTimeout(r, 50));
    // Re-created as a private channel with another owner.
    const fresh = world.channel(x, { owner: ginette, modes: ['i', 'n', 't'] });
    await channels.emit('channel.created', { channel: x, channel_id: fresh.channelId, private: true });
    expect(await delivered()).toBeLessThan(2000);

    expect((await read(ginette, x).expect(200)).body.messages).toEqual([]);
    expect((await read(roger, x)).status).toBe(403);
    expect((await read(uniqueName('newcomer'), x)).status).toBe(403);
  });

  test('when a member is banned, then their next post is refused', async () => {
    const [roger, alice] = [uniqueName('roger'), uniqueName('alice')];
    const c = uniqueName('c');
    const ch = world.channel(c, { owner: roger, members: [alice] });
    await post(alice, c, 'hello').expect(201);
    ch.banned.push(alice);
    await channels.emit('channel.member_banned', { channel: c, channel_id: ch.channelId, pseudo: alice, by: roger });
    await delivered();
    const refused = await post(alice, c, 'still here?');
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('channel_read_forbidden');
  });

  test('when a member is kicked or modes change, then the next request sees it', async () => {
    const [roger, bob] = [uniqueName('roger'), uniqueName('bob')];
    const c = uniqueName('c');
    const ch = world.channel(c, { owner: roger, members: [bob] });
    await post(bob, c, 'hi').expect(201);
    await post(roger, c, 'hi bob').expect(201);
    ch.members = ch.members.filter((m) => m !== bob);
    ch.modes.push('i');
    await channels.emit('channel.member_kicked', { channel: c, channel_id: ch.channelId, pseudo: bob, by: roger });
    await delivered();
    expect((await post(bob, c, 'back')).status).toBe(403);
    ch.modes.push('r');
    await channels.emit('channel.modes_changed', { channel: c, channel_id: ch.channelId, modes: ch.modes.join('') });
    await delivered();
    expect((await post(roger, c, 'owner still posts')).status).toBe(201);
  });
});

describe.each(testDatabases())('channel stream not served yet (%s)', (kind) => {
  const channels = new ChannelFeed();
  let t: TestApp;
  beforeAll(async () => {
    await channels.start(kind, { feed: false });
    t = await startService(kind, { channelUrl: channels.url, accessCacheMs: 1, followChannels: true });
  });
  afterAll(async () => {
    await t.close();
    await channels.stop();
  });

  test('when channel-service answers 404 on its feed, then the follower retries with backoff and posting still works', async () => {
    const roger = uniqueName('roger');
    const c = uniqueName('c');
    channels.world.channel(c, { owner: roger });
    await new Promise((r) => setTimeout(r, 1500));
    await request(t.app).post('/msg').set('Authorization', bearer(roger)).send({ channel: c, text: 'works' }).expect(201);
    // 100, 200, 400, 800 ms: a handful of tries, not one per millisecond.
    expect(channels.feedCalls).toBeGreaterThan(1);
    expect(channels.feedCalls).toBeLessThan(8);
  });
});
