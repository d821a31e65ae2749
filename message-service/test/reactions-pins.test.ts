import request from 'supertest';
import { bearer, testDatabases, uniqueName } from '@canaduck/testing';
import { useWorldApp } from './support';

describe.each(testDatabases())('reactions and pins on %s', (kind) => {
  const { world, t } = useWorldApp(kind);

  async function setup() {
    const roger = uniqueName('roger');
    const ginette = uniqueName('ginette');
    const channel = uniqueName('chan');
    world.channel(channel, { owner: roger, members: [ginette] });
    const m = (await request(t.app).post('/msg').set('Authorization', bearer(roger)).send({ channel, text: 'react to me' }).expect(201))
      .body;
    return { roger, ginette, channel, m };
  }
  const react = (who: string, body: object) => request(t.app).post('/msg/reaction').set('Authorization', bearer(who)).send(body);

  test('when a user adds a reaction, then 201 with the message and the reaction listed', async () => {
    const { roger, ginette, channel, m } = await setup();
    const res = await react(ginette, { message_id: m.id, emoji: '👍' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: m.id, reactions: { '👍': [ginette] } });
    await react(roger, { message_id: m.id, emoji: '👍' }).expect(201);
    await react(roger, { message_id: m.id, emoji: '🦆' }).expect(201);
    const list = await request(t.app).get(`/msg?channel=${channel}`).set('Authorization', bearer(roger));
    expect(list.body.messages[0].reactions).toEqual({ '👍': [ginette, roger], '🦆': [roger] });
  });

  test('when the same user reacts twice with the same emoji, then the second is 200 and nothing is duplicated', async () => {
    const { ginette, m } = await setup();
    await react(ginette, { message_id: m.id, emoji: '🎉' }).expect(201);
    const again = await react(ginette, { message_id: m.id, emoji: '🎉' });
    expect(again.status).toBe(200);
    expect(again.body.reactions).toEqual({ '🎉': [ginette] });
    const differentCase = await react(ginette.toUpperCase(), { message_id: m.id, emoji: '🎉' });
    expect(differentCase.status).toBe(200);
    expect(differentCase.body.reactions).toEqual({ '🎉': [ginette] });
  });

  test('when emoji are ZWJ sequences, flags, skin tones or keycaps, then they are accepted and round-trip exactly', async () => {
    const { ginette, m } = await setup();
    const emoji = ['👨‍👩‍👧‍👦', '🇫🇷', '👍🏽', '👍🏿', '1️⃣', '🏳️‍🌈', '❤️'];
    for (const e of emoji) await react(ginette, { message_id: m.id, emoji: e }).expect(201);
    const res = await react(ginette, { message_id: m.id, emoji: '👍' });
    expect(Object.keys(res.body.reactions)).toEqual([...emoji, '👍']);
  });

  test('when the emoji is missing or not a string, then 400; when it is not exactly one emoji, then 422', async () => {
    const { ginette, m } = await setup();
    expect((await react(ginette, { message_id: m.id })).status).toBe(400);
    expect((await react(ginette, { emoji: '👍' })).status).toBe(400);
    expect((await react(ginette, { message_id: m.id, emoji: 5 })).status).toBe(400);
    for (const bad of ['', 'a', '👍👍', ' 👍', 'ok', '1', '%']) {
      const res = await react(ginette, { message_id: m.id, emoji: bad });
      expect([bad, res.status]).toEqual([bad, 422]);
    }
  });

  test('when reacting to an unknown message, then 404; to a message of a channel one may not read, then 403', async () => {
    const owner = uniqueName('own');
    const priv = uniqueName('priv');
    world.channel(priv, { owner, modes: ['i', 'n', 't'] });
    const m = (await request(t.app).post('/msg').set('Authorization', bearer(owner)).send({ channel: priv, text: 'hidden' })).body;
    expect((await react(owner, { message_id: 999999999, emoji: '👍' })).status).toBe(404);
    expect((await react(uniqueName('out'), { message_id: m.id, emoji: '👍' })).status).toBe(403);
  });

  test('when removing a reaction through the body or the query, then 200 without it; removing it again, then 404', async () => {
    const { roger, ginette, m } = await setup();
    await react(ginette, { message_id: m.id, emoji: '👍' }).expect(201);
    await react(roger, { message_id: m.id, emoji: '👍🏽' }).expect(201);
    const viaBody = await request(t.app)
      .delete('/msg/reaction')
      .set('Authorization', bearer(ginette))
      .send({ message_id: m.id, emoji: '👍' });
    expect(viaBody.status).toBe(200);
    expect(viaBody.body.reactions).toEqual({ '👍🏽': [roger] });
    const q = `/msg/reaction?message_id=${m.id}&emoji=${encodeURIComponent('👍🏽')}`;
    const viaQuery = await request(t.app).delete(q).set('Authorization', bearer(roger));
    expect(viaQuery.status).toBe(200);
    expect(viaQuery.body.reactions).toEqual({});
    expect((await request(t.app).delete(q).set('Authorization', bearer(roger))).status).toBe(404);
    expect((await request(t.app).delete('/msg/reaction').set('Authorization', bearer(roger))).status).toBe(400);
    expect((await request(t.app).delete(`/msg/reaction?message_id=${m.id}&emoji=x`).set('Authorization', bearer(roger))).status).toBe(422);
  });

  test('when the owner pins and unpins, then the pinned list follows; pinning twice is harmless', async () => {
    const { roger, ginette, channel, m } = await setup();
    const other = (await request(t.app).post('/msg').set('Authorization', bearer(roger)).send({ channel, text: 'second' })).body;
    const pin = await request(t.app).post(`/msg/${m.id}/pin`).set('Authorization', bearer(roger));
    expect(pin.status).toBe(200);
    expect(pin.body).toMatchObject({ id: m.id, pinned: true });
    await request(t.app).post(`/msg/${m.id}/pin`).set('Authorization', bearer(roger)).expect(200);
    await request(t.app).post(`/msg/${other.id}/pin`).set('Authorization', bearer(roger)).expect(200);
    const pinned = await request(t.app).get(`/msg/pinned?channel=${channel}`).set('Authorization', bearer(ginette));
    expect(pinned.status).toBe(200);
    expect(pinned.body.messages.map((x: { id: number }) => x.id).sort()).toEqual([m.id, other.id].sort());
    expect(pinned.body).toMatchObject({ offset: 0, limit: 50, next_offset: null });
    const unpin = await request(t.app).delete(`/msg/${m.id}/pin`).set('Authorization', bearer(roger));
    expect(unpin.body.pinned).toBe(false);
    const after = await request(t.app).get(`/msg/pinned?channel=${channel}`).set('Authorization', bearer(ginette));
    expect(after.body.messages.map((x: { id: number }) => x.id)).toEqual([other.id]);
  });

  test('when a plain member pins, then 403; a private message, then 422; an unknown channel for the list, then 404', async () => {
    const { ginette, m } = await setup();
    expect((await request(t.app).post(`/msg/${m.id}/pin`).set('Authorization', bearer(ginette))).status).toBe(403);
    expect((await request(t.app).delete(`/msg/${m.id}/pin`).set('Authorization', bearer(ginette))).status).toBe(403);
    const a = uniqueName('a');
    const b = uniqueName('b');
    world.user(a, b);
    const pm = (await request(t.app).post('/msg').set('Authorization', bearer(a)).send({ to: b, text: 'pm' })).body;
    expect((await request(t.app).post(`/msg/${pm.id}/pin`).set('Authorization', bearer(a))).status).toBe(422);
    expect(
      (
        await request(t.app)
          .get(`/msg/pinned?channel=${uniqueName('nope')}`)
          .set('Authorization', bearer(a))
      ).status,
    ).toBe(404);
    expect((await request(t.app).get('/msg/pinned').set('Authorization', bearer(a))).status).toBe(400);
  });

  /** `messages.reactions` as stored (migration 004), parsed; null when the column is NULL. */
  async function storedColumn(id: number): Promise<unknown> {
    const row = (await t.db.knex('messages').where({ id }).first('reactions')) as { reactions: string | null };
    return row.reactions === null ? null : JSON.parse(row.reactions);
  }
  const page = async (who: string, channel: string) =>
    (await request(t.app).get(`/msg?channel=${channel}`).set('Authorization', bearer(who)).expect(200)).body.messages[0];
  const unreact = (who: string, body: object) => request(t.app).delete('/msg/reaction').set('Authorization', bearer(who)).send(body);

  test('when reactions are added, then the message row stores them in reaction order and GET /msg shows them', async () => {
    const { roger, ginette, channel, m } = await setup();
    await react(ginette, { message_id: m.id, emoji: '👍' }).expect(201);
    await react(roger, { message_id: m.id, emoji: '🦆' }).expect(201);
    await react(roger, { message_id: m.id, emoji: '👍' }).expect(201);
    expect(await storedColumn(m.id)).toEqual([
      ['👍', ginette],
      ['🦆', roger],
      ['👍', roger],
    ]);
    expect((await page(roger, channel)).reactions).toEqual({ '👍': [ginette, roger], '🦆': [roger] });
  });

  test('when the same reaction is added twice, then the stored reactions are unchanged', async () => {
    const { ginette, channel, m } = await setup();
    await react(ginette, { message_id: m.id, emoji: '🎉' }).expect(201);
    const again = await react(ginette.toUpperCase(), { message_id: m.id, emoji: '🎉' });
    expect(again.status).toBe(200);
    expect(again.body.reactions).toEqual({ '🎉': [ginette] });
    expect(await storedColumn(m.id)).toEqual([['🎉', ginette]]);
    expect((await page(ginette, channel)).reactions).toEqual({ '🎉': [ginette] });
  });

  test('when a reaction is removed, then it leaves the stored reactions; when the last one goes, then the column is NULL', async () => {
    const { roger, ginette, channel, m } = await setup();
    await react(ginette, { message_id: m.id, emoji: '👍' }).expect(201);
    await react(roger, { message_id: m.id, emoji: '👍' }).expect(201);
    await unreact(ginette, { message_id: m.id, emoji: '👍' }).expect(200);
    expect(await storedColumn(m.id)).toEqual([['👍', roger]]);
    expect((await page(roger, channel)).reactions).toEqual({ '👍': [roger] });
    const last = await unreact(roger, { message_id: m.id, emoji: '👍' });
    expect(last.status).toBe(200);
    expect(last.body.reactions).toEqual({});
    expect(await storedColumn(m.id)).toBeNull();
    expect((await page(roger, channel)).reactions).toEqual({});
  });

  test('when a message with reactions is edited, then its reactions stay stored and shown', async () => {
    const { roger, ginette, channel, m } = await setup();
    await react(ginette, { message_id: m.id, emoji: '❤️' }).expect(201);
    const edited = await request(t.app).put(`/msg/${m.id}`).set('Authorization', bearer(roger)).send({ text: 'edited' });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ text: 'edited', reactions: { '❤️': [ginette] } });
    expect(await storedColumn(m.id)).toEqual([['❤️', ginette]]);
    expect(await page(roger, channel)).toMatchObject({ text: 'edited', reactions: { '❤️': [ginette] } });
  });

  test('when 20 users react to one message at the same time, then none of their reactions is lost', async () => {
    const { roger, channel, m } = await setup();
    const emoji = ['👍', '🦆', '🎉', '❤️', '😂'];
    const users = Array.from({ length: 20 }, (_, i) => uniqueName(`fan${i}`));
    const results = await Promise.all(users.map((u, i) => react(u, { message_id: m.id, emoji: emoji[i % emoji.length] })));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    const expected: Record<string, string[]> = {};
    users.forEach((u, i) => (expected[emoji[i % emoji.length]] ??= []).push(u));
    const shown = (await page(roger, channel)).reactions as Record<string, string[]>;
    expect(Object.keys(shown).sort()).toEqual(Object.keys(expected).sort());
    for (const e of emoji) expect([...shown[e]].sort()).toEqual([...expected[e]].sort());
    // The column is the reactions table's content, in its id order.
    const table = await t.db.knex('reactions').where({ message_id: m.id }).orderBy('id').select('emoji', 'pseudo');
    expect(await storedColumn(m.id)).toEqual(table.map((r: { emoji: string; pseudo: string }) => [r.emoji, r.pseudo]));
  });

  test('when a message with reactions is deleted, then its reaction rows go with it', async () => {
    const { roger, ginette, m } = await setup();
    await react(ginette, { message_id: m.id, emoji: '👍' }).expect(201);
    await request(t.app).delete(`/msg/${m.id}`).set('Authorization', bearer(roger)).expect(200);
    expect(await t.db.knex('reactions').where({ message_id: m.id }).select('id')).toEqual([]);
    expect((await react(ginette, { message_id: m.id, emoji: '👍' })).status).toBe(404);
  });
});
