import request from 'supertest';
import { bearer, testDatabases, uniqueName } from '@canaduck/testing';
import { useWorldApp } from './support';

const EMOJI = ['😀', '😁', '😂', '🤣', '😃', '😄', '😅', '😆'];

describe.each(testDatabases())('abuse limits of message-service on %s', (kind) => {
  const { world, t, post } = useWorldApp(kind, {
    env: { MAX_EMOJI_PER_MESSAGE: '4', MAX_REACTIONS_PER_USER: '3', SEARCH_MAX_WINDOW: '10' },
  });

  const react = (who: string, id: number, emoji: string) =>
    request(t.app).post('/msg/reaction').set('Authorization', bearer(who)).send({ message_id: id, emoji });

  function setup() {
    const owner = uniqueName('owner');
    const channel = uniqueName('chan');
    world.channel(channel, { owner, modes: ['t'] });
    return { owner, channel };
  }

  test('when one user puts more reactions on a message than MAX_REACTIONS_PER_USER, then 422 too_many_reactions and nothing is added', async () => {
    const { owner, channel } = setup();
    const m = (await post(owner, { channel, text: 'react to me' })).body;
    for (const e of EMOJI.slice(0, 3)) expect((await react(owner, m.id, e)).status).toBe(201);
    const res = await react(owner, m.id, EMOJI[3]);
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      error: `you already have 3 reactions on message ${m.id}, the most one user may`,
      code: 'too_many_reactions',
    });
    // Adding one already there changes nothing and stays allowed.
    expect((await react(owner, m.id, EMOJI[0])).status).toBe(200);
    const after = await request(t.app).get(`/msg?channel=${channel}`).set('Authorization', bearer(owner));
    expect(Object.keys(after.body.messages[0].reactions)).toHaveLength(3);
  });

  test('when a message already carries MAX_EMOJI_PER_MESSAGE distinct emoji, then a new one is 422 too_many_emoji, an existing one still counts', async () => {
    const { owner, channel } = setup();
    const m = (await post(owner, { channel, text: 'crowded' })).body;
    for (const [i, e] of EMOJI.slice(0, 4).entries()) expect((await react(`${owner}x${i}`, m.id, e)).status).toBe(201);
    const refused = await react(uniqueName('late'), m.id, EMOJI[4]);
    expect(refused.status).toBe(422);
    expect(refused.body).toEqual({ error: `message ${m.id} already carries 4 different emoji, the most it may`, code: 'too_many_emoji' });
    expect((await react(uniqueName('late'), m.id, EMOJI[0])).status).toBe(201);
  });

  test('when a search asks past SEARCH_MAX_WINDOW, then 400 search_too_deep, and before= pages on', async () => {
    const { owner, channel } = setup();
    const word = uniqueName('needle');
    for (let i = 0; i < 8; i++) await post(owner, { channel, text: `${word} number ${i}` });
    const search = (query: string) =>
      request(t.app).get(`/msg/search?q=${word}&channel=${channel}&${query}`).set('Authorization', bearer(owner));
    const deep = await search('offset=6&limit=5');
    expect(deep.status).toBe(400);
    expect(deep.body.code).toBe('search_too_deep');
    expect(deep.body.error).toContain('before=');
    const first = await search('limit=5');
    expect(first.status).toBe(200);
    expect(first.body.messages.map((m: { text: string }) => m.text)).toEqual([7, 6, 5, 4, 3].map((i) => `${word} number ${i}`));
    const next = await search(`limit=5&before=${first.body.next_before}`);
    expect(next.body.messages.map((m: { text: string }) => m.text)).toEqual([2, 1, 0].map((i) => `${word} number ${i}`));
    expect(next.body.next_before).toBeNull();
  });

  test('when a list asks for an offset past 10,000, then 400 offset_too_large pointing to before', async () => {
    const { owner, channel } = setup();
    const res = await request(t.app).get(`/msg?channel=${channel}&offset=10001`).set('Authorization', bearer(owner));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('offset_too_large');
    expect(res.body.error).toContain('before=');
  });
});
