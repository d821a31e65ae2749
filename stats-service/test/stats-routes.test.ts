import { bearer, testDatabases, uniqueName } from '@canaduck/testing';
import { useStatsService } from './support';

const HOUR = 3_600_000;
const admin = bearer('boss', ['user', 'admin']);
const user = bearer('someone');
let nextId = 1000;
const id = () => ++nextId;

describe.each(testDatabases())('stats routes (%s)', (kind) => {
  const stats = useStatsService(kind);
  const { sync, get } = stats;
  const mine = <T extends Record<string, unknown>>(rows: T[], key: keyof T, names: string[]) =>
    rows.filter((r) => names.includes(String(r[key])));

  describe('GET /stats/active-channels', () => {
    it('when channels have messages, then they are ranked by messages with their last message time, limit and as_of', async () => {
      const [a, b, c] = [uniqueName('ch'), uniqueName('ch'), uniqueName('ch')];
      for (const ch of [a, b, c]) stats.fake.channel(ch);
      const t0 = Date.now() - 10 * 60_000;
      for (let i = 0; i < 3; i++) stats.fake.created(id(), 'roger', { channel: b }, { timestamp: new Date(t0 + i * 1000).toISOString() });
      stats.fake.created(id(), 'roger', { channel: a }, { timestamp: new Date(t0).toISOString() });
      stats.fake.created(id(), 'ginette', { channel: c }, { timestamp: new Date(t0 + 5000).toISOString() });
      const last = stats.fake.created(id(), 'ginette', { channel: c }, { timestamp: new Date(t0 + 9000).toISOString() });
      await sync();

      const res = await get('/stats/active-channels?limit=100');
      expect(res.status).toBe(200);
      expect(res.body.limit).toBe(100);
      expect(res.body.as_of).toBe(last.at);
      expect(mine(res.body.channels, 'channel', [a, b, c])).toEqual([
        { channel: b, messages: 3, last_message_at: new Date(t0 + 2000).toISOString() },
        { channel: c, messages: 2, last_message_at: new Date(t0 + 9000).toISOString() },
        { channel: a, messages: 1, last_message_at: new Date(t0).toISOString() },
      ]);
      const limited = await get('/stats/active-channels?limit=1');
      expect(limited.status).toBe(200);
      expect(limited.body.channels).toHaveLength(1);
      expect(limited.body.limit).toBe(1);
    });

    it('when since is given, then only messages from the start of that hour on are counted', async () => {
      const [old, recent] = [uniqueName('ch'), uniqueName('ch')];
      stats.fake.channel(old);
      stats.fake.channel(recent);
      const now = Date.now();
      for (let i = 0; i < 4; i++)
        stats.fake.created(id(), 'marcel', { channel: old }, { timestamp: new Date(now - 30 * HOUR).toISOString() });
      stats.fake.created(id(), 'marcel', { channel: old }, { timestamp: new Date(now).toISOString() });
      for (let i = 0; i < 2; i++) stats.fake.created(id(), 'marcel', { channel: recent }, { timestamp: new Date(now).toISOString() });
      await sync();

      const since = new Date(now - 2 * HOUR).toISOString();
      const res = await get(`/stats/active-channels?limit=100&since=${encodeURIComponent(since)}`);
      expect(res.status).toBe(200);
      expect(res.body.since).toBe(new Date(Math.floor((now - 2 * HOUR) / HOUR) * HOUR).toISOString());
      expect(mine(res.body.channels, 'channel', [old, recent]).map((r) => [r.channel, r.messages])).toEqual([
        [recent, 2],
        [old, 1],
      ]);
      const all = await get('/stats/active-channels?limit=100');
      expect(mine(all.body.channels, 'channel', [old]).map((r) => r.messages)).toEqual([5]);
    });
  });

  describe('GET /stats/hourly-activity', () => {
    it('when messages fall in several hours, then there is one bucket per hour, oldest first, empty hours included', async () => {
      const before = await get('/stats/hourly-activity?hours=5');
      const ch = uniqueName('ch');
      stats.fake.channel(ch);
      const now = Date.now();
      for (let i = 0; i < 3; i++) stats.fake.created(id(), 'roger', { channel: ch }, { timestamp: new Date(now).toISOString() });
      stats.fake.created(id(), 'roger', { channel: ch }, { timestamp: new Date(now - 3 * HOUR).toISOString() });
      await sync();

      const res = await get('/stats/hourly-activity?hours=5');
      expect(res.status).toBe(200);
      const hours = res.body.hours as Array<{ hour: string; messages: number }>;
      expect(hours).toHaveLength(5);
      const current = Math.floor(now / HOUR) * HOUR;
      expect(hours.map((h) => h.hour)).toEqual([4, 3, 2, 1, 0].map((k) => new Date(current - k * HOUR).toISOString()));
      const delta = hours.map((h, i) => h.messages - before.body.hours[i].messages);
      expect(delta).toEqual([0, 1, 0, 0, 3]);
      expect(res.body.as_of).toEqual(expect.any(String));

      const day = await get('/stats/hourly-activity');
      expect(day.body.hours).toHaveLength(24);
      expect(day.body.hours[23].hour).toBe(new Date(current).toISOString());
    });
  });

  describe('GET /stats/messages-per-user', () => {
    it('when users post in several channels, then they are ranked by their total of messages', async () => {
      const [c1, c2] = [uniqueName('ch'), uniqueName('ch')];
      stats.fake.channel(c1);
      stats.fake.channel(c2);
      const [p1, p2] = [uniqueName('Pa'), uniqueName('pb')];
      stats.fake.created(id(), p1, { channel: c1 });
      stats.fake.created(id(), p2, { channel: c1 });
      stats.fake.created(id(), p2, { channel: c2 });
      stats.fake.created(id(), p2.toUpperCase(), { channel: c2 });
      await sync();

      const res = await get('/stats/messages-per-user?limit=100');
      expect(res.status).toBe(200);
      expect(res.body.limit).toBe(100);
      expect(mine(res.body.users, 'pseudo', [p1, p2, p2.toUpperCase()])).toEqual([
        { pseudo: expect.stringMatching(new RegExp(`^${p2}$`, 'i')), messages: 3 },
        { pseudo: p1, messages: 1 },
      ]);
    });
  });

  describe('GET /stats/top-reacted-messages', () => {
    it('when messages get reactions, then they are ranked by reaction count and unreacted ones are left out', async () => {
      const ch = uniqueName('ch');
      stats.fake.channel(ch);
      const [m1, m2, m3] = [id(), id(), id()];
      stats.fake.created(m1, 'roger', { channel: ch }, { text: 'one 🦆' });
      stats.fake.created(m2, 'ginette', { channel: ch }, { text: 'two' });
      stats.fake.created(m3, 'marcel', { channel: ch }, { text: 'three' });
      stats.fake.react(m1, 'a');
      stats.fake.react(m2, 'a');
      stats.fake.react(m2, 'b', '🎉');
      stats.fake.react(m2, 'c');
      stats.fake.react(m2, 'c', '👍', false);
      await sync();

      const res = await get('/stats/top-reacted-messages?limit=100');
      expect(res.status).toBe(200);
      const rows = (res.body.messages as Array<{ id: number }>).filter((r) => [m1, m2, m3].includes(r.id));
      expect(rows).toEqual([
        { id: m2, channel: ch, from: 'ginette', text: 'two', reactions_count: 2 },
        { id: m1, channel: ch, from: 'roger', text: 'one 🦆', reactions_count: 1 },
      ]);
      expect(res.body.limit).toBe(100);
      expect(res.body.as_of).toEqual(expect.any(String));
    });
  });

  describe('privacy', () => {
    it('when messages are private or in private or secret channels, then only an admin with include_private sees them', async () => {
      const [pub, priv, sec] = [uniqueName('pub'), uniqueName('priv'), uniqueName('sec')];
      stats.fake.channel(pub);
      stats.fake.channel(priv, { private: true });
      stats.fake.channel(sec, { secret: true });
      const who = uniqueName('hid');
      const ids = { pub: id(), priv: id(), sec: id(), pm: id() };
      stats.fake.created(ids.pub, who, { channel: pub }, { text: 'public text' });
      stats.fake.created(ids.priv, who, { channel: priv }, { text: 'private channel text' });
      stats.fake.created(ids.sec, who, { channel: sec }, { text: 'secret channel text' });
      stats.fake.created(ids.pm, who, { to: 'ginette' }, { text: 'private message text' });
      for (const m of Object.values(ids)) stats.fake.react(m, 'ginette');
      await sync();

      for (const auth of [undefined, user, admin]) {
        const channels = await get('/stats/active-channels?limit=100', auth);
        expect(mine(channels.body.channels, 'channel', [pub, priv, sec]).map((r) => r.channel)).toEqual([pub]);
        const users = await get('/stats/messages-per-user?limit=100', auth);
        expect(mine(users.body.users, 'pseudo', [who])).toEqual([{ pseudo: who, messages: 1 }]);
        const top = await get('/stats/top-reacted-messages?limit=100', auth);
        const texts = (top.body.messages as Array<{ id: number; text: string }>)
          .filter((r) => Object.values(ids).includes(r.id))
          .map((r) => r.text);
        expect(texts).toEqual(['public text']);
        const body = JSON.stringify([channels.body, users.body, top.body]);
        expect(body).not.toContain(priv);
        expect(body).not.toContain(sec);
        expect(body).not.toContain('private message text');
      }

      const channels = await get('/stats/active-channels?limit=100&include_private=true', admin);
      expect(channels.status).toBe(200);
      expect(
        mine(channels.body.channels, 'channel', [pub, priv, sec])
          .map((r) => r.channel)
          .sort(),
      ).toEqual([priv, pub, sec].sort());
      const users = await get('/stats/messages-per-user?limit=100&include_private=true', admin);
      expect(mine(users.body.users, 'pseudo', [who])).toEqual([{ pseudo: who, messages: 4 }]);
      const top = await get('/stats/top-reacted-messages?limit=100&include_private=true', admin);
      const rows = (top.body.messages as Array<{ id: number; channel: string | null }>).filter((r) => Object.values(ids).includes(r.id));
      expect(rows.map((r) => [r.id, r.channel]).sort()).toEqual(
        [
          [ids.pub, pub],
          [ids.priv, priv],
          [ids.sec, sec],
          [ids.pm, null],
        ].sort(),
      );
    });

    it('when an admin asks top-reacted-messages with include_private, then a private message shows its counts only, and stats never stored its text', async () => {
      const [who, pm] = [uniqueName('pm'), id()];
      stats.fake.created(pm, who, { to: 'ginette' }, { text: 'our secret plan' });
      stats.fake.push('message.edited', { id: pm, text: 'our secret plan, edited' });
      stats.fake.react(pm, 'ginette');
      await sync();

      const top = await get('/stats/top-reacted-messages?limit=100&include_private=true', admin);
      expect(top.status).toBe(200);
      const row = (top.body.messages as Array<{ id: number }>).find((r) => r.id === pm);
      expect(row).toEqual({ id: pm, channel: null, from: who, text: null, reactions_count: 1 });
      expect(JSON.stringify(top.body)).not.toContain('secret plan');
      const stored = await stats.world.db.knex('stats_messages').where({ id: pm }).first();
      expect(stored.text).toBe('');
    });

    it('when private messages and hidden channels post in an hour, then hourly-activity counts them only for admins with include_private', async () => {
      const [priv, sec] = [uniqueName('priv'), uniqueName('sec')];
      stats.fake.channel(priv, { private: true });
      stats.fake.channel(sec, { secret: true });
      const q = '/stats/hourly-activity?hours=1';
      const [pub0, adm0] = [await get(q), await get(`${q}&include_private=true`, admin)];
      stats.fake.created(id(), 'roger', { channel: priv });
      stats.fake.created(id(), 'roger', { channel: sec });
      stats.fake.created(id(), 'roger', { to: 'ginette' });
      await sync();
      const [pub1, adm1] = [await get(q), await get(`${q}&include_private=true`, admin)];
      expect(pub1.body.hours[0].messages - pub0.body.hours[0].messages).toBe(0);
      expect(adm1.body.hours[0].messages - adm0.body.hours[0].messages).toBe(3);
    });

    it.each(['active-channels', 'hourly-activity', 'messages-per-user', 'top-reacted-messages'])(
      'when %s is asked with include_private=true without the admin role, then 403 (401 without a token)',
      async (route) => {
        const forbidden = await get(`/stats/${route}?include_private=true`, user);
        expect(forbidden.status).toBe(403);
        expect(forbidden.body).toEqual({ error: expect.any(String), code: 'role_required' });
        expect((await get(`/stats/${route}?include_private=true`)).status).toBe(401);
        expect((await get(`/stats/${route}?include_private=false`, user)).status).toBe(200);
        expect((await get(`/stats/${route}`, 'Bearer not.a.token')).status).toBe(401);
      },
    );
  });

  describe('bad parameters', () => {
    it.each([
      ['/stats/active-channels?limit=0', 400],
      ['/stats/active-channels?limit=101', 400],
      ['/stats/messages-per-user?limit=abc', 400],
      ['/stats/top-reacted-messages?limit=2.5', 400],
      ['/stats/active-channels?since=yesterday', 400],
      ['/stats/active-channels?since=2026-13-45', 400],
      ['/stats/hourly-activity?hours=abc', 400],
      ['/stats/hourly-activity?hours=0', 422],
      ['/stats/hourly-activity?hours=169', 422],
      ['/stats/messages-per-user?include_private=maybe', 400],
    ])('when %s is asked, then %i with an error body', async (path, status) => {
      const res = await get(path);
      expect(res.status).toBe(status);
      expect(res.body).toEqual(expect.objectContaining({ error: expect.any(String), code: expect.any(String) }));
    });
  });
});
