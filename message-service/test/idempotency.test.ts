import request from 'supertest';
import { bearer, testDatabases, uniqueName } from '@canaduck/testing';
import { useWorldApp } from './support';

describe.each(testDatabases())('Idempotency-Key on POST /msg and POST /msg/reaction, on %s', (kind) => {
  const { world, t, post } = useWorldApp(kind);

  function setup() {
    const owner = uniqueName('owner');
    const channel = uniqueName('chan');
    world.channel(channel, { owner });
    return { owner, channel };
  }
  const send = (who: string, path: string, key: string, body: object) =>
    request(t.app).post(path).set('Authorization', bearer(who)).set('Idempotency-Key', key).send(body);
  const texts = async (who: string, channel: string) =>
    (await request(t.app).get(`/msg?channel=${channel}`).set('Authorization', bearer(who))).body.messages.map(
      (m: { text: string }) => m.text,
    );

  test('when a post is retried with the same key and body, then the first answer comes back and one message exists', async () => {
    const { owner, channel } = setup();
    const key = uniqueName('key');
    const first = await send(owner, '/msg', key, { channel, text: 'once only' });
    const retry = await send(owner, '/msg', key, { channel, text: 'once only' });
    expect(first.status).toBe(201);
    expect({ status: retry.status, body: retry.body }).toEqual({ status: first.status, body: first.body });
    expect(await texts(owner, channel)).toEqual(['once only']);
  });

  test('when the same key comes with another body, then 422 idempotency_key_reused and nothing is written', async () => {
    const { owner, channel } = setup();
    const key = uniqueName('key');
    expect((await send(owner, '/msg', key, { channel, text: 'first' })).status).toBe(201);
    const other = await send(owner, '/msg', key, { channel, text: 'second' });
    expect(other.status).toBe(422);
    expect(other.body).toEqual({
      error: 'this Idempotency-Key was used for another request body: use a new key',
      code: 'idempotency_key_reused',
    });
    expect(await texts(owner, channel)).toEqual(['first']);
  });

  test('when another user sends the same key, then it is their own key (keys are per user)', async () => {
    const { owner, channel } = setup();
    const other = uniqueName('other');
    world.channels.get(channel)!.members.push(other);
    const key = uniqueName('key');
    expect((await send(owner, '/msg', key, { channel, text: 'mine' })).status).toBe(201);
    expect((await send(other, '/msg', key, { channel, text: 'theirs' })).status).toBe(201);
    expect(await texts(owner, channel)).toEqual(['theirs', 'mine']);
  });

  test('when a reaction is retried with the same key, then the first 201 comes back (not the 200 of a repeat)', async () => {
    const { owner, channel } = setup();
    const m = (await post(owner, { channel, text: 'react' })).body;
    const key = uniqueName('key');
    const first = await send(owner, '/msg/reaction', key, { message_id: m.id, emoji: '🦆' });
    const retry = await send(owner, '/msg/reaction', key, { message_id: m.id, emoji: '🦆' });
    expect(first.status).toBe(201);
    expect({ status: retry.status, body: retry.body }).toEqual({ status: 201, body: first.body });
  });

  test('when the first request failed, then its key is free and the retry runs', async () => {
    const { owner } = setup();
    const key = uniqueName('key');
    const channel = uniqueName('later');
    expect((await send(owner, '/msg', key, { channel, text: 'early' })).status).toBe(404);
    world.channel(channel, { owner });
    expect((await send(owner, '/msg', key, { channel, text: 'early' })).status).toBe(201);
  });

  test('when the key is not printable ASCII or too long, then 400 invalid_idempotency_key', async () => {
    const { owner, channel } = setup();
    const res = await send(owner, '/msg', 'k'.repeat(256), { channel, text: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('invalid_idempotency_key');
  });
});
