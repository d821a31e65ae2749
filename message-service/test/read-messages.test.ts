import request from 'supertest';
import { bearer, testDatabases, uniqueName } from '@canaduck/testing';
import { backfillReactions } from '../src/migrations/004-message-reactions-column';
import { queriesDuring, useWorldApp } from './support';

describe.each(testDatabases())('GET /msg, /msg/private, /msg/thread on %s', (kind) => {
  const { world, t, post } = useWorldApp(kind);

  const get = (who: string, url: string) => request(t.app).get(url).set('Authorization', bearer(who));
  const react = (who: string, messageId: number, emoji: string) =>
    request(t.app).post('/msg/reaction').set('Authorization', bearer(who)).send({ message_id: messageId, emoji }).expect(201);

  test('when reading a channel, then messages come newest first with offset/limit paging and a before cursor', async () => {
    const roger = uniqueName('roger');
    const channel = uniqueName('chan');
    world.channel(channel, { owner: roger });
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push((await post(roger, { channel, text: `m${i}` })).body.id);
    const first = await get(roger, `/msg?channel=${channel}&limit=2`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ offset: 0, limit: 2, next_offset: 2, next_before: ids[3] });
    expect(first.body.messages.map((m: { text: string }) => m.text)).toEqual(['m4', 'm3']);
    const second = await get(roger, `/msg?channel=${channel}&offset=2&limit=2`);
    expect(second.body.messages.map((m: { text: string }) => m.text)).toEqual(['m2', 'm1']);
    const cursor = await get(roger, `/msg?channel=${channel}&before=${first.body.next_before}&limit=2`);
    expect(cursor.body.messages.map((m: { text: string }) => m.text)).toEqual(['m2', 'm1']);
    const last = await get(roger, `/msg?channel=${channel}&offset=4&limit=2`);
    expect(last.body).toMatchObject({ next_offset: null, next_before: null });
    expect(last.body.messages).toHaveLength(1);
    const all = await get(roger, `/msg?channel=${channel}`);
    expect(all.body).toMatchObject({ offset: 0, limit: 50, next_offset: null });
  });

  test('when several users react with several emoji, then the page lists them per emoji in reaction order, as the thread does', async () => {
    const roger = uniqueName('roger');
    const ginette = uniqueName('ginette');
    const channel = uniqueName('chan');
    world.channel(channel, { owner: roger, members: [ginette] });
    const m = (await post(roger, { channel, text: 'réagissez' })).body;
    await react(ginette, m.id, '👍');
    await react(roger, m.id, '🦆');
    await react(roger, m.id, '👍');
    await react(roger, m.id, '👍🏽');
    const expected = { '👍': [ginette, roger], '🦆': [roger], '👍🏽': [roger] };
    const page = await get(roger, `/msg?channel=${channel}`);
    expect(page.body.messages[0].reactions).toEqual(expected);
    expect(Object.keys(page.body.messages[0].reactions)).toEqual(['👍', '🦆', '👍🏽']);
    const thread = await get(roger, `/msg/thread/${m.id}`);
    expect(thread.body.root.reactions).toEqual(page.body.messages[0].reactions);
  });

  test('when a page holds many messages with reactions, then the page and its reactions are loaded in one query', async () => {
    const roger = uniqueName('roger');
    const channel = uniqueName('chan');
    world.channel(channel, { owner: roger });
    for (let i = 0; i < 4; i++) {
      const m = (await post(roger, { channel, text: `m${i}` })).body;
      await react(roger, m.id, '🔥');
    }
    const queries = await queriesDuring(t.db.knex, async () => {
      const res = await get(roger, `/msg?channel=${channel}`);
      expect(res.body.messages.map((m: { reactions: object }) => m.reactions)).toEqual(Array(4).fill({ '🔥': [roger] }));
    });
    expect(queries.filter((q) => /reactions/.test(q))).toHaveLength(1);
    expect(queries).toHaveLength(1);
  });

  test('when paging or the channel is bad, then 400 (and 422 for a bad channel name)', async () => {
    const roger = uniqueName('roger');
    const channel = uniqueName('chan');
    world.channel(channel, { owner: roger });
    expect((await get(roger, '/msg')).status).toBe(400);
    expect((await get(roger, `/msg?channel=${channel}&limit=201`)).status).toBe(400);
    expect((await get(roger, `/msg?channel=${channel}&limit=0`)).status).toBe(400);
    expect((await get(roger, `/msg?channel=${channel}&offset=-1`)).status).toBe(400);
    expect((await get(roger, `/msg?channel=${channel}&before=abc`)).status).toBe(400);
    expect((await get(roger, '/msg?channel=bad!name')).status).toBe(422);
    expect((await request(t.app).get(`/msg?channel=${channel}`)).status).toBe(401);
  });

  test('when reading an unknown channel, then 404; a private channel as an outsider or a banned user, then 403', async () => {
    const owner = uniqueName('own');
    const outsider = uniqueName('out');
    const priv = uniqueName('priv');
    const open = uniqueName('open');
    world.channel(priv, { owner, modes: ['i', 'n', 't'] });
    world.channel(open, { owner, banned: [outsider] });
    expect((await get(owner, `/msg?channel=${uniqueName('nope')}`)).status).toBe(404);
    expect((await get(outsider, `/msg?channel=${priv}`)).status).toBe(403);
    expect((await get(outsider, `/msg?channel=${open}`)).status).toBe(403);
    expect((await get(owner, `/msg?channel=${priv}`)).status).toBe(200);
    expect((await get(uniqueName('anyone'), `/msg?channel=${open}`)).status).toBe(200);
  });

  test('when a channel is deleted and created again, then its old messages are not shown', async () => {
    const roger = uniqueName('roger');
    const channel = uniqueName('chan');
    world.channel(channel, { owner: roger });
    const old = (await post(roger, { channel, text: 'old life' })).body.id;
    world.channel(channel, { owner: roger });
    await post(roger, { channel, text: 'new life' });
    const res = await get(roger, `/msg?channel=${channel}`);
    expect(res.body.messages.map((m: { text: string }) => m.text)).toEqual(['new life']);
    expect((await get(roger, `/msg/thread/${old}`)).status).toBe(404);
    const reaction = await request(t.app).post('/msg/reaction').set('Authorization', bearer(roger)).send({ message_id: old, emoji: '👍' });
    expect(reaction.status).toBe(404);
    const reply = await request(t.app).post('/msg').set('Authorization', bearer(roger)).send({ channel, text: 'r', reply_to: old });
    expect(reply.status).toBe(404);
  });

  test('when reading a private conversation, then both directions come newest first, and only the two may read it', async () => {
    const a = uniqueName('Alice');
    const b = uniqueName('bob');
    world.user(a, b);
    await post(a, { to: b, text: 'one' });
    await post(b, { to: a, text: 'two' });
    await post(a, { to: b.toUpperCase(), text: 'three' });
    const res = await get(b, `/msg/private?from=${a.toLowerCase()}&to=${b}`);
    expect(res.status).toBe(200);
    expect(res.body.messages.map((m: { text: string }) => m.text)).toEqual(['three', 'two', 'one']);
    expect(res.body.messages[1]).toMatchObject({ from: b, to: a, channel: null });
    const reversed = await get(a, `/msg/private?from=${b}&to=${a}&limit=1`);
    expect(reversed.body).toMatchObject({ limit: 1, next_offset: 1 });
    expect(reversed.body.messages.map((m: { text: string }) => m.text)).toEqual(['three']);
    expect((await get(uniqueName('eve'), `/msg/private?from=${a}&to=${b}`)).status).toBe(403);
    expect((await get(a, `/msg/private?from=${a}`)).status).toBe(400);
    expect((await get(a, `/msg/private?from=${a}&to=1bad`)).status).toBe(422);
  });

  test('when asking for a thread by its root or by a reply, then the root and all replies come oldest first', async () => {
    const roger = uniqueName('roger');
    const channel = uniqueName('chan');
    world.channel(channel, { owner: roger });
    const root = (await post(roger, { channel, text: 'root' })).body;
    const r1 = (await post(roger, { channel, text: 'r1', reply_to: root.id })).body;
    const r2 = (await post(roger, { channel, text: 'r2', reply_to: r1.id })).body;
    await post(roger, { channel, text: 'unrelated' });
    for (const id of [root.id, r2.id]) {
      const res = await get(roger, `/msg/thread/${id}`);
      expect(res.status).toBe(200);
      expect(res.body.root).toMatchObject({ id: root.id, text: 'root' });
      expect(res.body.replies.map((m: { id: number }) => m.id)).toEqual([r1.id, r2.id]);
      expect(res.body.replies[1].reply_to).toBe(r1.id);
      expect(res.body.next_offset).toBeNull();
    }
    expect((await get(roger, '/msg/thread/999999999')).status).toBe(404);
    expect((await get(roger, '/msg/thread/abc')).status).toBe(400);
  });

  test('when a thread is in a private channel or a private conversation, then outsiders get 403 or 404', async () => {
    const owner = uniqueName('own');
    const outsider = uniqueName('out');
    const friend = uniqueName('friend');
    const priv = uniqueName('priv');
    world.channel(priv, { owner, modes: ['i', 'n', 't'] });
    world.user(owner, friend);
    const inPriv = (await post(owner, { channel: priv, text: 'secret' })).body;
    const pm = (await post(owner, { to: friend, text: 'pm' })).body;
    expect((await get(outsider, `/msg/thread/${inPriv.id}`)).status).toBe(403);
    expect((await get(outsider, `/msg/thread/${pm.id}`)).status).toBe(404);
    expect((await get(friend, `/msg/thread/${pm.id}`)).status).toBe(200);
  });

  test('when a page is read, then its reactions come from the message rows and the reactions table is not queried', async () => {
    const roger = uniqueName('roger');
    const channel = uniqueName('chan');
    world.channel(channel, { owner: roger });
    const m = (await post(roger, { channel, text: 'stored' })).body;
    await react(roger, m.id, '🔥');
    const queries = await queriesDuring(t.db.knex, async () => {
      const res = await get(roger, `/msg?channel=${channel}`);
      expect(res.status).toBe(200);
      expect(res.body.messages[0].reactions).toEqual({ '🔥': [roger] });
    });
    expect(queries).toHaveLength(1);
    expect(queries[0]).not.toMatch(/from\s+[`"]?reactions\b/i);
  });

  test('when a message row stores reactions, then the page, thread, conversation, pins and search all show exactly them', async () => {
    const roger = uniqueName('roger');
    const bob = uniqueName('bob');
    const channel = uniqueName('chan');
    const word = uniqueName('colonne');
    world.channel(channel, { owner: roger });
    world.user(roger, bob);
    const m = (await post(roger, { channel, text: `hello ${word}` })).body;
    const pm = (await post(roger, { to: bob, text: 'psst' })).body;
    await request(t.app).post(`/msg/${m.id}/pin`).set('Authorization', bearer(roger)).expect(200);
    // Written straight into the column: whatever shows it below read the column, not the reactions table.
    const stored = JSON.stringify([
      ['🦆', 'zoe'],
      ['👍', 'amy'],
      ['🦆', 'amy'],
    ]);
    await t.db.knex('messages').whereIn('id', [m.id, pm.id]).update({ reactions: stored });
    const expected = { '🦆': ['zoe', 'amy'], '👍': ['amy'] };
    const shown = [
      (await get(roger, `/msg?channel=${channel}`)).body.messages[0],
      (await get(roger, `/msg/thread/${m.id}`)).body.root,
      (await get(roger, `/msg/private?from=${roger}&to=${bob}`)).body.messages[0],
      (await get(roger, `/msg/pinned?channel=${channel}`)).body.messages[0],
      (await get(roger, `/msg/search?q=${word}&channel=${channel}`)).body.messages[0],
      (await get(roger, `/msg/search?q=${word}`)).body.messages[0],
    ];
    for (const v of shown) {
      expect(v.reactions).toEqual(expected);
      expect(Object.keys(v.reactions)).toEqual(['🦆', '👍']);
    }
  });

  test('when reactions exist without the stored column (before migration 004), then the back-fill stores them in reaction order', async () => {
    const roger = uniqueName('roger');
    const channel = uniqueName('chan');
    world.channel(channel, { owner: roger });
    const a = (await post(roger, { channel, text: 'a' })).body;
    const b = (await post(roger, { channel, text: 'b' })).body;
    const rows = [
      [a.id, 'zoe', '👍'],
      [a.id, 'amy', '🦆'],
      [a.id, 'amy', '👍'],
      [b.id, 'max', '🎉'],
    ].map(([message_id, pseudo, emoji], i) => ({ message_id, pseudo, pseudo_key: pseudo, emoji, created_at: 1000 + i }));
    await t.db.knex('reactions').insert(rows);
    await t.db.knex('messages').whereIn('id', [a.id, b.id]).update({ reactions: null });
    await backfillReactions(t.db.knex);
    const stored = await t.db.knex('messages').whereIn('id', [a.id, b.id]).orderBy('id').select('reactions');
    expect(stored.map((r: { reactions: string }) => JSON.parse(r.reactions))).toEqual([
      [
        ['👍', 'zoe'],
        ['🦆', 'amy'],
        ['👍', 'amy'],
      ],
      [['🎉', 'max']],
    ]);
    const page = (await get(roger, `/msg?channel=${channel}`)).body.messages;
    expect(page.map((m: { reactions: object }) => m.reactions)).toEqual([{ '🎉': ['max'] }, { '👍': ['zoe', 'amy'], '🦆': ['amy'] }]);
  });
});
