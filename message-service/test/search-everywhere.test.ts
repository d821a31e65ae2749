import request from 'supertest';
import { bearer, testDatabases, uniqueName } from '@canaduck/testing';
import { backfillPrivateWords } from '../src/migrations/005-search-words-private';
import { useWorldApp } from './support';

/**
 * Search without `channel`: MySQL reads the postings of every readable channel (`search_words`)
 * and of the caller's conversations (`search_words_private`, kept by triggers); SQLite uses FTS5.
 * Both must answer alike.
 */
describe.each(testDatabases())('GET /msg/search without channel (postings) on %s', (kind) => {
  const { world, t, post } = useWorldApp(kind);

  const search = async (who: string, q: string, paging = '') => {
    const res = await request(t.app)
      .get(`/msg/search?q=${encodeURIComponent(q)}${paging}`)
      .set('Authorization', bearer(who));
    expect(res.status).toBe(200);
    return res.body as { messages: Array<{ id: number; text: string }>; next_offset: number | null };
  };
  const texts = async (who: string, q: string, paging = '') => (await search(who, q, paging)).messages.map((m) => m.text);

  test('when matches spread over channels and conversations, then the pages list every one newest first', async () => {
    const me = uniqueName('me');
    const friend = uniqueName('friend');
    const word = uniqueName('bielle');
    const channels = [uniqueName('ca'), uniqueName('cb'), uniqueName('cc')];
    for (const c of channels) world.channel(c, { owner: me, modes: ['i', 'n', 't'] });
    world.user(me, friend);
    const expected: string[] = [];
    for (let i = 0; i < 130; i++) {
      // Three forms of the word (the prefix expands to each), every third message also "impair".
      const text = `${word}${['', 's', 'ment'][i % 3]} n${i} ${i % 2 === 0 ? 'pair' : 'impair'}`;
      if (i % 5 === 4) await post(i % 10 === 4 ? friend : me, { to: i % 10 === 4 ? me : friend, text });
      else await post(me, { channel: channels[i % 3], text });
      expected.unshift(text);
    }
    const pages: string[] = [];
    for (let offset = 0; offset < 150; offset += 50) pages.push(...(await texts(me, word, `&offset=${offset}&limit=50`)));
    expect(pages).toEqual(expected);
    expect(await texts(me, `impair ${word}`, '&limit=100')).toEqual(expected.filter((x) => x.endsWith(' impair')));
    // The friend reads the conversation only.
    expect(await texts(friend, word, '&limit=100')).toEqual(expected.filter((x) => /n\d*[49] /.test(x)));
  });

  test('when one channel holds most matches and others a few old ones, then every page is still exact', async () => {
    const me = uniqueName('me');
    const friend = uniqueName('friend');
    const word = uniqueName('piston');
    const [big, old, recent] = [uniqueName('big'), uniqueName('old'), uniqueName('recent')];
    for (const c of [big, old, recent]) world.channel(c, { owner: me, modes: ['i', 'n', 't'] });
    world.user(me, friend);
    const posted: string[] = [];
    const say = async (body: object, text: string) => {
      await post(me, { ...body, text });
      posted.unshift(text);
    };
    for (let i = 0; i < 5; i++) await say({ channel: old }, `${word} old ${i}`);
    for (let i = 0; i < 100; i++) await say({ channel: big }, `${word}s big ${i}`);
    await say({ to: friend }, `${word} private`);
    for (let i = 0; i < 3; i++) await say({ channel: recent }, `${word} recent ${i}`);
    const pages: string[] = [];
    for (let offset = 0; offset < 120; offset += 20) pages.push(...(await texts(me, word, `&offset=${offset}&limit=20`)));
    expect(pages).toEqual(posted);
  });

  test('when a private message is edited or deleted, then both participants’ searches follow', async () => {
    const me = uniqueName('me');
    const friend = uniqueName('friend');
    world.user(me, friend);
    const before = uniqueName('avant');
    const after = uniqueName('apres');
    const m = (await post(me, { to: friend, text: `${before} secret` })).body as { id: number };
    expect(await texts(friend, before)).toEqual([`${before} secret`]);
    await request(t.app)
      .put(`/msg/${m.id}`)
      .set('Authorization', bearer(me))
      .send({ text: `${after} secret` })
      .expect(200);
    for (const who of [me, friend]) {
      expect(await texts(who, before)).toEqual([]);
      expect(await texts(who, `secret ${after}`)).toEqual([`${after} secret`]);
    }
    expect(await texts(uniqueName('stranger'), after)).toEqual([]);
    await request(t.app).delete(`/msg/${m.id}`).set('Authorization', bearer(me)).expect(200);
    expect(await texts(friend, after)).toEqual([]);
  });

  test('when a channel is deleted and created again, then only the new incarnation’s messages are found', async () => {
    const me = uniqueName('me');
    const channel = uniqueName('chan');
    const word = uniqueName('ancien');
    world.channel(channel, { owner: me });
    await post(me, { channel, text: `${word} avant` });
    world.channel(channel, { owner: me });
    await post(me, { channel, text: `${word} après` });
    expect(await texts(me, word)).toEqual([`${word} après`]);
  });

  test('when a prefix starts more than 256 different words, then every match is still found', async () => {
    const me = uniqueName('me');
    const channel = uniqueName('chan');
    const stem = uniqueName('pre');
    world.channel(channel, { owner: me });
    for (let i = 0; i < 260; i++) await post(me, { channel, text: `${stem}x${i}` });
    const found = await texts(me, stem, '&limit=100&offset=200');
    expect(found).toEqual([...Array(60).keys()].reverse().map((i) => `${stem}x${i}`));
  });

  (kind === 'mysql' ? test : test.skip)('when private postings are missing, then the back-fill restores them', async () => {
    const me = uniqueName('me');
    const friend = uniqueName('friend');
    world.user(me, friend);
    const word = uniqueName('ancre');
    const m = (await post(me, { to: friend, text: `${word} Ünïcode` })).body as { id: number };
    await t.db.knex('search_words_private').where('message_id', m.id).delete();
    expect(await texts(friend, word)).toEqual([]);
    await backfillPrivateWords(t.db.knex);
    for (const who of [me, friend]) expect(await texts(who, 'unicode')).toEqual([`${word} Ünïcode`]);
    const keys = await t.db.knex('search_words_private').where('message_id', m.id).orderBy(['user_key', 'word']).select('user_key', 'word');
    expect(keys).toEqual(
      [friend.toLowerCase(), me.toLowerCase()].sort().flatMap((k) => [word, 'Ünïcode'].map((w) => ({ user_key: k, word: w }))),
    );
  });
});
