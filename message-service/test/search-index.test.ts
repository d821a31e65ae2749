import request from 'supertest';
import { bearer, testDatabases, uniqueName } from '@canaduck/testing';
import { backfillSearchWords } from '../src/migrations/003-search-words';
import { useWorldApp } from './support';

/** Search in one channel: MySQL's `search_words` postings (kept by triggers), SQLite's FTS5. */
describe.each(testDatabases())('GET /msg/search?channel= (search index) on %s', (kind) => {
  const { world, t, post } = useWorldApp(kind);

  const searchIn = async (who: string, channel: string, q: string, paging = '') => {
    const res = await request(t.app)
      .get(`/msg/search?q=${encodeURIComponent(q)}&channel=${channel}${paging}`)
      .set('Authorization', bearer(who));
    expect(res.status).toBe(200);
    return res.body as { messages: Array<{ id: number; text: string }>; offset: number; limit: number; next_offset: number | null };
  };
  const texts = async (who: string, channel: string, q: string) => (await searchIn(who, channel, q)).messages.map((m) => m.text);

  const setup = () => {
    const roger = uniqueName('roger');
    const channel = uniqueName('chan');
    world.channel(channel, { owner: roger });
    return { roger, channel };
  };

  test('when a message is posted, then a search in its channel finds it at once, and not from another channel', async () => {
    const { roger, channel } = setup();
    const other = uniqueName('other');
    world.channel(other, { owner: roger });
    const word = uniqueName('turbine');
    await post(roger, { channel, text: `la ${word} démarre` });
    await post(roger, { channel: other, text: `une autre ${word}` });
    expect(await texts(roger, channel, word)).toEqual([`la ${word} démarre`]);
    expect(await texts(roger, other, word)).toEqual([`une autre ${word}`]);
  });

  test('when a message is edited, then its new word finds it and its old word no longer does', async () => {
    const { roger, channel } = setup();
    const before = uniqueName('vieux');
    const after = uniqueName('neuf');
    const keep = uniqueName('garde');
    const m = (await post(roger, { channel, text: `${keep} ${before}` })).body as { id: number };
    const res = await request(t.app)
      .put(`/msg/${m.id}`)
      .set('Authorization', bearer(roger))
      .send({ text: `${keep} ${after}` });
    expect(res.status).toBe(200);
    expect(await texts(roger, channel, before)).toEqual([]);
    expect(await texts(roger, channel, after)).toEqual([`${keep} ${after}`]);
    expect(await texts(roger, channel, `${keep} ${after}`)).toEqual([`${keep} ${after}`]);
    expect(await texts(roger, channel, `${keep} ${before}`)).toEqual([]);
  });

  test('when a message is deleted, then a search in its channel no longer finds it', async () => {
    const { roger, channel } = setup();
    const word = uniqueName('efface');
    const gone = (await post(roger, { channel, text: `${word} un` })).body as { id: number };
    await post(roger, { channel, text: `${word} deux` });
    const res = await request(t.app).delete(`/msg/${gone.id}`).set('Authorization', bearer(roger));
    expect(res.status).toBe(200);
    expect(await texts(roger, channel, word)).toEqual([`${word} deux`]);
  });

  test('when a word is searched, then words starting with it match but words merely containing it do not', async () => {
    const { roger, channel } = setup();
    const stem = uniqueName('moteur');
    await post(roger, { channel, text: `un ${stem}` });
    await post(roger, { channel, text: `des ${stem}s et des ${stem}isations` });
    await post(roger, { channel, text: `un auto${stem}` });
    await post(roger, { channel, text: `un ${stem.slice(0, -2)}` });
    expect(await texts(roger, channel, stem)).toEqual([`des ${stem}s et des ${stem}isations`, `un ${stem}`]);
    expect(await texts(roger, channel, `${stem}isa`)).toEqual([`des ${stem}s et des ${stem}isations`]);
  });

  test('when case or accents differ, then the search still matches, in both directions', async () => {
    const { roger, channel } = setup();
    const tag = uniqueName('tag');
    await post(roger, { channel, text: `${tag} Élément CAFÉ crème` });
    await post(roger, { channel, text: `${tag} element cafe creme` });
    await post(roger, { channel, text: `${tag} rien` });
    const both = [`${tag} element cafe creme`, `${tag} Élément CAFÉ crème`];
    expect(await texts(roger, channel, 'element cafe')).toEqual(both);
    expect(await texts(roger, channel, `ÉLÉMENT Café ${tag.toUpperCase()}`)).toEqual(both);
    expect(await texts(roger, channel, 'crè')).toEqual(both);
  });

  test('when words hold digits or sit between punctuation, then each run of letters and digits is a word', async () => {
    const { roger, channel } = setup();
    const tag = uniqueName('v');
    await post(roger, { channel, text: `release ${tag}2beta le 2026-11-24, (build#4711)!` });
    await post(roger, { channel, text: `release ${tag}3 le 2025-01-02` });
    expect(await texts(roger, channel, `${tag}2beta`)).toEqual([`release ${tag}2beta le 2026-11-24, (build#4711)!`]);
    expect(await texts(roger, channel, `${tag} 2026`)).toEqual([`release ${tag}2beta le 2026-11-24, (build#4711)!`]);
    expect(await texts(roger, channel, `${tag} 4711 build`)).toEqual([`release ${tag}2beta le 2026-11-24, (build#4711)!`]);
    expect(await texts(roger, channel, `${tag} 202`)).toEqual([
      `release ${tag}3 le 2025-01-02`,
      `release ${tag}2beta le 2026-11-24, (build#4711)!`,
    ]);
  });

  test('when 120 messages match among others, then offset/limit page through all of them, newest first', async () => {
    const { roger, channel } = setup();
    const word = uniqueName('page');
    const other = uniqueName('bruit');
    const posted: Array<{ id: number; text: string }> = [];
    for (let i = 0; i < 150; i++) {
      // Every fifth message does not match; some hold the word twice or with a suffix (one hit each).
      const text = i % 5 === 4 ? `${other} #${i}` : i % 3 === 0 ? `${word} ${word}s #${i}` : `${word} #${i}`;
      const m = (await post(roger, { channel, text })).body as { id: number };
      if (i % 5 !== 4) posted.push({ id: m.id, text });
    }
    const expected = posted.reverse();
    expect(expected).toHaveLength(120);
    const seen: number[] = [];
    for (const offset of [0, 50, 100]) {
      const page = await searchIn(roger, channel, word, `&offset=${offset}&limit=50`);
      expect(page).toMatchObject({ offset, limit: 50, next_offset: offset === 100 ? null : offset + 50 });
      seen.push(...page.messages.map((m) => m.id));
    }
    expect(seen).toEqual(expected.map((m) => m.id));
    // A literal word on top: the index's candidates are filtered, round after round.
    const filtered = await searchIn(roger, channel, `${word} #9`, '&limit=100');
    const withNine = expected.filter((m) => m.text.includes('#9')).map((m) => m.text);
    expect(withNine.length).toBeGreaterThan(5);
    expect(filtered.messages.map((m) => m.text)).toEqual(withNine);
  });

  test('when a term starts three words, two of them in more messages than one index step reads, then all three match', async () => {
    const { roger, channel } = setup();
    const stem = uniqueName('moteur');
    // 40 of the first and last words (beyond WORDS_STEP = 32 postings each) and one in between:
    // the word listing must jump over the first word's postings and still see the middle one.
    const texts: string[] = [];
    for (let i = 0; i < 81; i++) texts.push(i === 40 ? `${stem}m #${i}` : i < 40 ? `${stem} #${i}` : `${stem}z #${i}`);
    for (const text of texts) await post(roger, { channel, text });
    const all = await searchIn(roger, channel, stem, '&limit=100');
    expect(all.messages.map((m) => m.text)).toEqual([...texts].reverse());
    expect((await searchIn(roger, channel, `${stem}m`)).messages.map((m) => m.text)).toEqual([`${stem}m #40`]);
  });

  test('when a prefix starts more than 64 different words, then every message holding one of them matches', async () => {
    const { roger, channel } = setup();
    const stem = uniqueName('pre');
    for (let i = 0; i < 70; i++) await post(roger, { channel, text: `${stem}x${i} ${i % 2 === 0 ? 'pair' : 'impair'}` });
    const all = await searchIn(roger, channel, stem, '&limit=100');
    expect(all.messages.map((m) => m.text)).toEqual(
      [...Array(70).keys()].reverse().map((i) => `${stem}x${i} ${i % 2 === 0 ? 'pair' : 'impair'}`),
    );
    const page = await searchIn(roger, channel, `${stem} impair`, '&offset=30&limit=10');
    expect(page.messages.map((m) => m.text)).toEqual([9, 7, 5, 3, 1].map((i) => `${stem}x${i} impair`));
    expect(page.next_offset).toBeNull();
  });

  test('when the channel is deleted and created again, then its old messages are not found', async () => {
    const { roger, channel } = setup();
    const word = uniqueName('ancien');
    await post(roger, { channel, text: `${word} avant` });
    world.channel(channel, { owner: roger });
    await post(roger, { channel, text: `${word} après` });
    expect(await texts(roger, channel, word)).toEqual([`${word} après`]);
  });

  test('when rows are inserted in bulk straight into messages, then a search in the channel finds them', async () => {
    const { roger, channel } = setup();
    const word = uniqueName('vrac');
    const channelId = world.channels.get(channel)!.channelId;
    const row = (text: string, at: number) => ({
      channel,
      channel_id: channelId,
      from_pseudo: roger,
      from_key: roger.toLowerCase(),
      text,
      created_at: at,
    });
    await t.db.knex('messages').insert([row(`${word} un`, 1), row('rien', 2), row(`${word}s deux`, 3)]);
    expect(await texts(roger, channel, word)).toEqual([`${word}s deux`, `${word} un`]);
  });

  (kind === 'mysql' ? test : test.skip)(
    'when postings are missing (rows older than the index), then the back-fill restores them',
    async () => {
      const { roger, channel } = setup();
      const word = uniqueName('ancre');
      const m = (await post(roger, { channel, text: `${word} Ünïcode ok` })).body as { id: number };
      await t.db.knex('search_words').where('message_id', m.id).delete();
      expect(await texts(roger, channel, word)).toEqual([]);
      await backfillSearchWords(t.db.knex);
      expect(await texts(roger, channel, word)).toEqual([`${word} Ünïcode ok`]);
      expect(await texts(roger, channel, 'unicode')).toEqual([`${word} Ünïcode ok`]);
      const words = await t.db.knex('search_words').where('message_id', m.id).orderBy('word').pluck('word');
      expect(words).toEqual([word, 'Ünïcode']);
    },
  );
});
