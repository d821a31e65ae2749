import request from 'supertest';
import { bearer, uniqueName } from '@canaduck/testing';
import type { Gateway } from '../src/app';
import { buildGateway, refusedUrl, startUpstream, type Upstream } from './support';

/** Services that answer like the real ones for the three calls /fullinfo makes. */
let user: Upstream;
let channel: Upstream;
let message: Upstream;
let stats: Upstream;
const knownUsers = new Set<string>();
const knownChannels = new Set<string>();
const privateChannels = new Set<string>();

beforeAll(async () => {
  user = await startUpstream('user-service', (app) => {
    app.get('/whois/:pseudo', (req, res) => {
      const p = req.params.pseudo;
      if (!knownUsers.has(p)) return void res.status(404).json({ error: 'user not found', code: 'user_not_found' });
      res.json({ pseudo: p, status: 'online', roles: ['user'], channels: ['tech'], last_seen: '2026-11-24T17:00:00.000Z' });
    });
  });
  channel = await startUpstream('channel-service', (app) => {
    app.get('/channel/:name/config', (req, res) => {
      const n = req.params.name;
      if (!knownChannels.has(n)) return void res.status(404).json({ error: 'channel not found', code: 'channel_not_found' });
      if (privateChannels.has(n)) return void res.status(403).json({ error: 'not a member of this private channel', code: 'not_member' });
      res.json({ name: n, private: false, topic: 'dev talk', owner: 'roger', moderators: [], modes: ['n', 't'] });
    });
  });
  message = await startUpstream('message-service', (app) => {
    app.get('/msg', (req, res) => {
      const n = String(req.query.channel);
      if (!knownChannels.has(n)) return void res.status(404).json({ error: 'channel not found', code: 'channel_not_found' });
      if (privateChannels.has(n)) return void res.status(403).json({ error: 'not a member of this private channel', code: 'not_member' });
      const limit = Number(req.query.limit);
      const messages = Array.from({ length: limit }, (_, i) => ({ id: i + 1, channel: n, from: 'roger', text: `m${i}` }));
      res.json({ messages, offset: 0, limit, next_offset: null });
    });
  });
  stats = await startUpstream('stats-service');
});
afterAll(async () => {
  await Promise.all([user.close(), channel.close(), message.close(), stats.close()]);
});

function gateway(over: Partial<Record<'user' | 'message' | 'channel' | 'stats', string>> = {}, env: Record<string, string> = {}): Gateway {
  return buildGateway({ user: user.url, message: message.url, channel: channel.url, stats: stats.url, ...over }, env);
}

function names() {
  const pseudo = uniqueName('roger');
  const chan = uniqueName('tech');
  knownUsers.add(pseudo);
  knownChannels.add(chan);
  return { pseudo, chan };
}

describe('GET /fullinfo', () => {
  let gw: Gateway;
  beforeAll(() => {
    gw = gateway({}, { FULLINFO_MESSAGES: '3' });
  });
  afterAll(() => gw.shutdown());

  test('when every service answers, then user, channel and last messages come back together', async () => {
    const { pseudo, chan } = names();
    const header = bearer(uniqueName('asker'));
    const res = await request(gw.handler)
      .get(`/fullinfo?user=${pseudo}&channel=%23${chan}`)
      .set('Authorization', header)
      .set('X-Request-Id', `fi-${chan}`);
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ pseudo, roles: ['user'] });
    expect(res.body.channel).toMatchObject({ name: chan, topic: 'dev talk' });
    expect(res.body.last_messages).toHaveLength(3);
    expect(res.body.errors).toBeUndefined();
    // Each call carried the caller's token and the request id.
    for (const u of [user, channel, message]) {
      const seen = u.requests.find((r) => r.headers['x-request-id'] === `fi-${chan}`);
      expect(seen?.headers.authorization).toBe(header);
    }
    expect(message.requests.some((r) => r.url === `/msg?channel=${chan}&limit=3`)).toBe(true);
  });

  test("when the channel is private to the caller, then its parts are refused with the service's words and the user still comes", async () => {
    const { pseudo, chan } = names();
    privateChannels.add(chan);
    const res = await request(gw.handler).get(`/fullinfo?user=${pseudo}&channel=${chan}`).set('Authorization', bearer(uniqueName()));
    expect(res.status).toBe(200);
    expect(res.body.user.pseudo).toBe(pseudo);
    expect(res.body.channel).toBeNull();
    expect(res.body.last_messages).toBeNull();
    expect(res.body.errors).toEqual({
      channel: 'not a member of this private channel',
      last_messages: 'not a member of this private channel',
    });
  });

  test('when only the user is unknown, then 200 with the channel and errors.user', async () => {
    const { chan } = names();
    const res = await request(gw.handler)
      .get(`/fullinfo?user=${uniqueName('ghost')}&channel=${chan}`)
      .set('Authorization', bearer(uniqueName()));
    expect(res.status).toBe(200);
    expect(res.body.user).toBeNull();
    expect(res.body.errors).toEqual({ user: 'user not found' });
    expect(res.body.channel.name).toBe(chan);
  });

  test('when both the user and the channel are unknown, then 404', async () => {
    const res = await request(gw.handler)
      .get(`/fullinfo?user=${uniqueName('ghost')}&channel=${uniqueName('void')}`)
      .set('Authorization', bearer(uniqueName()));
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('not_found');
  });

  test.each([
    ['user missing', '/fullinfo?channel=tech'],
    ['channel missing', '/fullinfo?user=roger'],
    ['both missing', '/fullinfo'],
    ['user empty', '/fullinfo?user=&channel=tech'],
    ['user given twice', '/fullinfo?user=a&user=b&channel=tech'],
  ])('when %s, then 400', async (_what, path) => {
    const res = await request(gw.handler).get(path).set('Authorization', bearer(uniqueName()));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/query/);
  });

  test('when a name breaks the naming rules, then 422 and no service is called', async () => {
    const before = user.requests.length;
    const res = await request(gw.handler).get('/fullinfo?user=1bad&channel=tech').set('Authorization', bearer(uniqueName()));
    expect(res.status).toBe(422);
    expect(user.requests.length).toBe(before);
  });

  test('when no token is sent, then 401', async () => {
    const res = await request(gw.handler).get('/fullinfo?user=roger&channel=tech');
    expect(res.status).toBe(401);
  });
});

describe('GET /fullinfo with a service down', () => {
  test('when channel-service is stopped, then 200 with the user and messages and errors.channel naming it', async () => {
    const stopped = await startUpstream('channel-service');
    await stopped.close();
    const gw = gateway({ channel: stopped.url });
    const { pseudo, chan } = names();
    const res = await request(gw.handler).get(`/fullinfo?user=${pseudo}&channel=${chan}`).set('Authorization', bearer(uniqueName()));
    expect(res.status).toBe(200);
    expect(res.body.user.pseudo).toBe(pseudo);
    expect(res.body.channel).toBeNull();
    expect(res.body.last_messages).toHaveLength(10);
    expect(res.body.errors).toEqual({ channel: 'channel-service unavailable' });
    await gw.shutdown();
  });

  test('when all three services are down, then 503', async () => {
    const down = await refusedUrl();
    const gw = gateway({ user: down, channel: down, message: down });
    const res = await request(gw.handler).get('/fullinfo?user=roger&channel=tech').set('Authorization', bearer(uniqueName()));
    expect(res.status).toBe(503);
    expect(res.body.error).toMatch(/unavailable/);
    await gw.shutdown();
  });
});
