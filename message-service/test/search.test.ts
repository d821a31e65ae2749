import request from 'supertest';
import { bearer, testDatabases, uniqueName } from '@canaduck/testing';
import { useWorldApp } from './support';

describe.each(testDatabases())('GET /msg/search on %s', (kind) => {
  const { world, t, post } = useWorldApp(kind);

  const search = async (who: string, query: string) => {
    const res = await request(t.app).get(`/msg/search?${query}`).set('Authorization', bearer(who));
    expect(res.status).toBe(200);
    return res.body.messages.map((m: { text: string }) => m.text) as string[];
  };

  test('when searching a word, then messages holding it (or words starting with it) come newest first', async () => {
    const roger = uniqueName('roger');
    const channel = uniqueName('chan');
    const word = uniqueName('moteur');
    world.channel(channel, { owner: roger });
    await post(roger, { channel, text: `le ${word} tourne` });
    await post(roger, { channel, text: 'rien à voir' });
    await post(roger, { channel, text: `deux ${word}s neufs 🦆` });
    expect(await search(roger, `q=${word}`)).toEqual([`deux ${word}s neufs 🦆`, `le ${word} tourne`]);
    expect(await search(roger, `q=${word.toUpperCase()}%20tourne&channel=${channel}`)).toEqual([`le ${word} tourne`]);
  });

  test('when q holds %, _ or operators, then they are literal characters', async () => {
    const roger = uniqueName('roger');
    const channel = uniqueName('chan');
    const tag = uniqueName('tag');
    world.channel(channel, { owner: roger });
    await post(roger, { channel, text: `${tag} 100% sûr` });
    await post(roger, { channel, text: `${tag} 1000 sûr` });
    await post(roger, { channel, text: `${tag} snake_case` });
    await post(roger, { channel, text: `${tag} snakeXcase` });
    await post(roger, { channel, text: `${tag} +plus -minus "quoted"` });
    const q = (s: string) => `q=${encodeURIComponent(`${tag} ${s}`)}&channel=${channel}`;
    expect(await search(roger, q('100%'))).toEqual([`${tag} 100% sûr`]);
    expect(await search(roger, q('%'))).toEqual([`${tag} 100% sûr`]);
    expect(await search(roger, q('e_c'))).toEqual([`${tag} snake_case`]);
    expect(await search(roger, q('+plus'))).toEqual([`${tag} +plus -minus "quoted"`]);
    expect(await search(roger, q('"quoted"'))).toEqual([`${tag} +plus -minus "quoted"`]);
    expect(await search(roger, q('-minus*'))).toEqual([]);
  });

  test('when q has short words or stopwords, then they still match as substrings', async () => {
    const roger = uniqueName('roger');
    const channel = uniqueName('chan');
    const tag = uniqueName('tag');
    world.channel(channel, { owner: roger });
    await post(roger, { channel, text: `${tag} go to the ok corral` });
    await post(roger, { channel, text: `${tag} nothing here` });
    expect(await search(roger, `q=${tag}%20ok%20the&channel=${channel}`)).toEqual([`${tag} go to the ok corral`]);
    expect(await search(roger, `q=go&channel=${channel}`)).toEqual([`${tag} go to the ok corral`]);
  });

  test('when others post in a private channel, a banned channel or a private conversation, then the caller never sees them', async () => {
    const owner = uniqueName('own');
    const me = uniqueName('me');
    const friend = uniqueName('friend');
    const word = uniqueName('zorglub');
    const open = uniqueName('open');
    const priv = uniqueName('priv');
    const mine = uniqueName('mine');
    const banning = uniqueName('banning');
    world.channel(open, { owner });
    world.channel(priv, { owner, modes: ['i', 'n', 't'] });
    world.channel(mine, { owner, members: [me], modes: ['i', 'n', 't'] });
    world.channel(banning, { owner });
    world.user(owner, me, friend);
    await post(owner, { channel: open, text: `${word} public` });
    await post(owner, { channel: priv, text: `${word} private channel` });
    await post(owner, { channel: mine, text: `${word} my private channel` });
    await post(owner, { channel: banning, text: `${word} banned from` });
    await post(owner, { to: friend, text: `${word} pm of others` });
    await post(owner, { to: me, text: `${word} pm to me` });
    await post(me, { to: friend, text: `${word} pm from me` });
    world.channels.get(banning)!.banned.push(me);
    expect(await search(me, `q=${word}`)).toEqual([
      `${word} pm from me`,
      `${word} pm to me`,
      `${word} my private channel`,
      `${word} public`,
    ]);
    expect((await request(t.app).get(`/msg/search?q=${word}&channel=${priv}`).set('Authorization', bearer(me))).status).toBe(403);
    expect(
      (
        await request(t.app)
          .get(`/msg/search?q=${word}&channel=${uniqueName('nope')}`)
          .set('Authorization', bearer(me))
      ).status,
    ).toBe(404);
    const adminRes = await request(t.app)
      .get(`/msg/search?q=${word}&channel=${priv}`)
      .set('Authorization', bearer(uniqueName('adm'), ['user', 'admin']));
    expect(adminRes.body.messages.map((m: { text: string }) => m.text)).toEqual([`${word} private channel`]);
  });

  test('when results exceed a page, then offset/limit page through them', async () => {
    const roger = uniqueName('roger');
    const channel = uniqueName('chan');
    const word = uniqueName('page');
    world.channel(channel, { owner: roger });
    for (let i = 0; i < 3; i++) await post(roger, { channel, text: `${word} ${i}` });
    const res = await request(t.app).get(`/msg/search?q=${word}&limit=2`).set('Authorization', bearer(roger));
    expect(res.body).toMatchObject({ offset: 0, limit: 2, next_offset: 2 });
    expect(res.body.messages).toHaveLength(2);
    const next = await request(t.app).get(`/msg/search?q=${word}&limit=2&offset=2`).set('Authorization', bearer(roger));
    expect(next.body).toMatchObject({ next_offset: null });
    expect(next.body.messages.map((m: { text: string }) => m.text)).toEqual([`${word} 0`]);
  });

  test('when a message is edited or deleted, then search follows', async () => {
    const roger = uniqueName('roger');
    const channel = uniqueName('chan');
    const before = uniqueName('avant');
    const after = uniqueName('apres');
    world.channel(channel, { owner: roger });
    const m = (await post(roger, { channel, text: before })).body;
    await request(t.app).put(`/msg/${m.id}`).set('Authorization', bearer(roger)).send({ text: after }).expect(200);
    expect(await search(roger, `q=${before}`)).toEqual([]);
    expect(await search(roger, `q=${after}`)).toEqual([after]);
    await request(t.app).delete(`/msg/${m.id}`).set('Authorization', bearer(roger)).expect(200);
    expect(await search(roger, `q=${after}`)).toEqual([]);
  });

  test('when q is missing, blank or too long, then 400 or 422', async () => {
    const roger = uniqueName('roger');
    expect((await request(t.app).get('/msg/search').set('Authorization', bearer(roger))).status).toBe(400);
    expect((await request(t.app).get('/msg/search?q=%20%20').set('Authorization', bearer(roger))).status).toBe(422);
    expect(
      (
        await request(t.app)
          .get(`/msg/search?q=${'a'.repeat(201)}`)
          .set('Authorization', bearer(roger))
      ).status,
    ).toBe(422);
    expect((await request(t.app).get('/msg/search?q=x')).status).toBe(401);
  });
});
