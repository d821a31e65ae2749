import request from 'supertest';
import { bearer, testDatabases, uniqueName } from '@canaduck/testing';
import { useWorldApp } from './support';

/** A route asked about a channel name or a message id: the same call for the secret one and the unknown one. */
interface ChannelCase {
  name: string;
  call: (app: request.Agent | ReturnType<typeof request>, auth: string, channel: string) => request.Test;
}
interface MessageCase {
  name: string;
  call: (app: ReturnType<typeof request>, auth: string, id: number) => request.Test;
}

const channelRoutes: ChannelCase[] = [
  { name: 'GET /msg', call: (a, auth, c) => a.get(`/msg?channel=${c}`).set('Authorization', auth) },
  { name: 'POST /msg', call: (a, auth, c) => a.post('/msg').set('Authorization', auth).send({ channel: c, text: 'hello?' }) },
  { name: 'GET /msg/pinned', call: (a, auth, c) => a.get(`/msg/pinned?channel=${c}`).set('Authorization', auth) },
  { name: 'GET /msg/search', call: (a, auth, c) => a.get(`/msg/search?q=hidden&channel=${c}`).set('Authorization', auth) },
];

const messageRoutes: MessageCase[] = [
  { name: 'GET /msg/thread/<id>', call: (a, auth, id) => a.get(`/msg/thread/${id}`).set('Authorization', auth) },
  { name: 'PUT /msg/<id>', call: (a, auth, id) => a.put(`/msg/${id}`).set('Authorization', auth).send({ text: 'probe' }) },
  { name: 'DELETE /msg/<id>', call: (a, auth, id) => a.delete(`/msg/${id}`).set('Authorization', auth) },
  {
    name: 'POST /msg/reaction',
    call: (a, auth, id) => a.post('/msg/reaction').set('Authorization', auth).send({ message_id: id, emoji: '👍' }),
  },
  { name: 'DELETE /msg/reaction', call: (a, auth, id) => a.delete(`/msg/reaction?message_id=${id}&emoji=👍`).set('Authorization', auth) },
  { name: 'POST /msg/<id>/pin', call: (a, auth, id) => a.post(`/msg/${id}/pin`).set('Authorization', auth) },
  { name: 'DELETE /msg/<id>/pin', call: (a, auth, id) => a.delete(`/msg/${id}/pin`).set('Authorization', auth) },
];

describe.each(testDatabases())('secret channels on every message route, on %s', (kind) => {
  const { world, t, post } = useWorldApp(kind);

  /** A +s channel with one message, an outsider and a banned ex-member, and a name no channel has. */
  async function setup() {
    const owner = uniqueName('owner');
    const secret = uniqueName('hidden');
    const unknown = uniqueName('nochan');
    world.channel(secret, { owner, modes: ['n', 't', 's'] });
    const m = (await post(owner, { channel: secret, text: 'hidden plans' })).body as { id: number };
    const banned = uniqueName('banned');
    world.channels.get(secret)!.banned.push(banned);
    return { secret, unknown, id: m.id, callers: [uniqueName('outsider'), banned] };
  }

  test.each(channelRoutes)('when a caller who cannot read a secret channel calls $name, then the 404 of an unknown channel', async (c) => {
    const { secret, unknown, callers } = await setup();
    for (const who of callers) {
      const forUnknown = await c.call(request(t.app), bearer(who), unknown);
      const forSecret = await c.call(request(t.app), bearer(who), secret);
      expect(forUnknown.status).toBe(404);
      expect(forUnknown.body).toEqual({ error: `channel ${unknown} not found`, code: 'channel_not_found' });
      expect(forSecret.status).toBe(404);
      expect(forSecret.body).toEqual({ error: `channel ${secret} not found`, code: 'channel_not_found' });
    }
  });

  test.each(messageRoutes)(
    'when a caller who cannot read a secret channel calls $name on its message, then the 404 of an unknown id',
    async (c) => {
      const { id, callers } = await setup();
      const unknownId = id + 1_000_000;
      for (const who of callers) {
        const forUnknown = await c.call(request(t.app), bearer(who), unknownId);
        const forSecret = await c.call(request(t.app), bearer(who), id);
        expect(forUnknown.status).toBe(404);
        expect(forUnknown.body).toEqual({ error: `message ${unknownId} not found`, code: 'message_not_found' });
        expect(forSecret.status).toBe(404);
        expect(forSecret.body).toEqual({ error: `message ${id} not found`, code: 'message_not_found' });
      }
    },
  );

  test('when a member reads the secret channel, then its messages come back (the 404 is for outsiders only)', async () => {
    const { secret } = await setup();
    const owner = world.channels.get(secret)!.owner;
    const res = await request(t.app).get(`/msg?channel=${secret}`).set('Authorization', bearer(owner));
    expect(res.status).toBe(200);
    expect(res.body.messages.map((m: { text: string }) => m.text)).toEqual(['hidden plans']);
  });
});
