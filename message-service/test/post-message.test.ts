import request from 'supertest';
import { bearer, expiredToken, testDatabases, uniqueName } from '@canaduck/testing';
import { useWorldApp } from './support';

describe.each(testDatabases())('POST /msg on %s', (kind) => {
  const { world, t } = useWorldApp(kind);

  function setup() {
    const roger = uniqueName('roger');
    const channel = uniqueName('chan');
    world.channel(channel, { owner: roger });
    return { roger, channel };
  }

  test('when a member posts in a channel, then it answers 201 with the message object', async () => {
    const { roger, channel } = setup();
    const res = await request(t.app)
      .post('/msg')
      .set('Authorization', bearer(roger))
      .send({ channel: `#${channel.toUpperCase()}`, text: 'hello world' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      channel,
      to: null,
      from: roger,
      text: 'hello world',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      reply_to: null,
      reactions: {},
      pinned: false,
      edited_at: null,
    });
    const list = await request(t.app).get(`/msg?channel=${channel}`).set('Authorization', bearer(roger));
    expect(list.body.messages.map((m: { id: number }) => m.id)).toEqual([res.body.id]);
  });

  test('when 40 posts arrive at once, then each gets its own id and the channel lists each id with its own text', async () => {
    const { roger, channel } = setup();
    const texts = Array.from({ length: 40 }, (_, i) => `burst ${i} ${uniqueName('t')}`);
    const posted = await Promise.all(
      texts.map((text) => request(t.app).post('/msg').set('Authorization', bearer(roger)).send({ channel, text })),
    );
    expect(posted.map((r) => r.status)).toEqual(texts.map(() => 201));
    expect(new Set(posted.map((r) => r.body.id)).size).toBe(40);
    const list = await request(t.app).get(`/msg?channel=${channel}&limit=50`).set('Authorization', bearer(roger));
    expect(list.body.messages.map((m: { id: number; text: string }) => [m.id, m.text]).sort()).toEqual(
      posted.map((r) => [r.body.id, r.body.text]).sort(),
    );
  });

  test('when the body has a from field, then it is ignored and the sender is the token pseudo', async () => {
    const { roger, channel } = setup();
    const res = await request(t.app).post('/msg').set('Authorization', bearer(roger)).send({ channel, text: 'hi', from: 'impostor' });
    expect(res.status).toBe(201);
    expect(res.body.from).toBe(roger);
  });

  test('when a message has no channel, then it answers 400', async () => {
    const { roger } = setup();
    const res = await request(t.app).post('/msg').set('Authorization', bearer(roger)).send({ text: 'lost' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: expect.any(String), code: 'channel_required' });
  });

  test('when there is no token, an expired one or a tampered one, then it answers 401', async () => {
    const { roger, channel } = setup();
    expect((await request(t.app).post('/msg').send({ channel, text: 'x' })).status).toBe(401);
    expect(
      (
        await request(t.app)
          .post('/msg')
          .set('Authorization', `Bearer ${expiredToken(roger)}`)
          .send({ channel, text: 'x' })
      ).status,
    ).toBe(401);
    const tampered = bearer(roger).slice(0, -3) + 'abc';
    expect((await request(t.app).post('/msg').set('Authorization', tampered).send({ channel, text: 'x' })).status).toBe(401);
  });

  test('when text is missing or not a string, then 400; when blank or over 4000 characters, then 422', async () => {
    const { roger, channel } = setup();
    const post = (body: unknown) =>
      request(t.app)
        .post('/msg')
        .set('Authorization', bearer(roger))
        .send(body as object);
    expect((await post({ channel })).status).toBe(400);
    expect((await post({ channel, text: 42 })).status).toBe(400);
    expect((await post({ channel, text: '   \n ' })).status).toBe(422);
    expect((await post({ channel, text: 'a'.repeat(4001) })).status).toBe(422);
    expect((await post({ channel, text: 'both', to: roger })).status).toBe(422);
    expect((await post({ channel: 'bad name!', text: 'x' })).status).toBe(422);
  });

  test('when text has 4000 emoji (code points) with spaces around, then it is accepted and stored exactly as sent', async () => {
    const { roger, channel } = setup();
    const text = `  ${'🦆'.repeat(4000)}  `;
    const res = await request(t.app).post('/msg').set('Authorization', bearer(roger)).send({ channel, text });
    expect(res.status).toBe(201);
    const list = await request(t.app).get(`/msg?channel=${channel}`).set('Authorization', bearer(roger));
    expect(list.body.messages[0].text).toBe(text);
  });

  test('when text holds emoji, accents and ZWJ sequences, then they round-trip unchanged', async () => {
    const { roger, channel } = setup();
    const text = 'coucou tout le monde 🦆 éàü 👨‍👩‍👧 🇫🇷 👍🏽 𝄞';
    await request(t.app).post('/msg').set('Authorization', bearer(roger)).send({ channel, text }).expect(201);
    const list = await request(t.app).get(`/msg?channel=${channel}`).set('Authorization', bearer(roger));
    expect(list.body.messages[0].text).toBe(text);
  });

  test('when the channel does not exist, then it answers 404', async () => {
    const { roger } = setup();
    const res = await request(t.app)
      .post('/msg')
      .set('Authorization', bearer(roger))
      .send({ channel: uniqueName('nope'), text: 'x' });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('channel_not_found');
  });

  test('when the sender is banned, not a member of a private or +n channel, or the channel is read-only, then it answers 403', async () => {
    const owner = uniqueName('own');
    const outsider = uniqueName('out');
    const banned = uniqueName('ban');
    const priv = uniqueName('priv');
    const ro = uniqueName('ro');
    const open = uniqueName('open');
    world.channel(priv, { owner, modes: ['i', 'n', 't'] });
    world.channel(ro, { owner, members: [outsider], modes: ['r', 'n', 't'] });
    world.channel(open, { owner, members: [banned], banned: [banned] });
    const post = (who: string, channel: string) =>
      request(t.app).post('/msg').set('Authorization', bearer(who)).send({ channel, text: 'x' });
    expect((await post(outsider, priv)).status).toBe(403);
    expect((await post(outsider, ro)).status).toBe(403);
    expect((await post(banned, open)).status).toBe(403);
    expect((await post(outsider, open)).status).toBe(403);
    expect((await post(owner, ro)).status).toBe(201);
  });

  test('when an admin posts in a private channel they are not in, then the admin flag from the JWT lets them', async () => {
    const owner = uniqueName('own');
    const admin = uniqueName('adm');
    const priv = uniqueName('priv');
    world.channel(priv, { owner, modes: ['i', 'n', 't'] });
    const res = await request(t.app)
      .post('/msg')
      .set('Authorization', bearer(admin, ['user', 'admin']))
      .send({ channel: priv, text: 'admin here' });
    expect(res.status).toBe(201);
  });

  test('when replying in the same channel, then reply_to is set; in another channel or to an unknown id, then 404', async () => {
    const { roger, channel } = setup();
    const other = uniqueName('other');
    world.channel(other, { owner: roger });
    const root = await request(t.app).post('/msg').set('Authorization', bearer(roger)).send({ channel, text: 'root' });
    const elsewhere = await request(t.app).post('/msg').set('Authorization', bearer(roger)).send({ channel: other, text: 'x' });
    const reply = await request(t.app)
      .post('/msg')
      .set('Authorization', bearer(roger))
      .send({ channel, text: 'reply', reply_to: root.body.id });
    expect(reply.status).toBe(201);
    expect(reply.body.reply_to).toBe(root.body.id);
    const cross = await request(t.app)
      .post('/msg')
      .set('Authorization', bearer(roger))
      .send({ channel, text: 'r', reply_to: elsewhere.body.id });
    expect(cross.status).toBe(404);
    const unknown = await request(t.app).post('/msg').set('Authorization', bearer(roger)).send({ channel, text: 'r', reply_to: 999999999 });
    expect(unknown.status).toBe(404);
    const badType = await request(t.app).post('/msg').set('Authorization', bearer(roger)).send({ channel, text: 'r', reply_to: 'one' });
    expect(badType.status).toBe(400);
  });

  test('when sending a private message to an existing user, then 201 with to set and channel null; to an unknown user, then 404', async () => {
    const roger = uniqueName('roger');
    const ginette = uniqueName('ginette');
    world.user(roger, ginette);
    const res = await request(t.app).post('/msg').set('Authorization', bearer(roger)).send({ to: ginette, text: 'psst 🤫' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ channel: null, to: ginette, from: roger, text: 'psst 🤫' });
    const unknown = await request(t.app)
      .post('/msg')
      .set('Authorization', bearer(roger))
      .send({ to: uniqueName('ghost'), text: 'x' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('user_not_found');
  });

  test('when replying to a private message from a channel, then 404 (reply_to must be in the same conversation)', async () => {
    const { roger, channel } = setup();
    const ginette = uniqueName('ginette');
    world.user(roger, ginette);
    const pm = await request(t.app).post('/msg').set('Authorization', bearer(roger)).send({ to: ginette, text: 'pm' });
    const res = await request(t.app).post('/msg').set('Authorization', bearer(roger)).send({ channel, text: 'r', reply_to: pm.body.id });
    expect(res.status).toBe(404);
    const inPm = await request(t.app)
      .post('/msg')
      .set('Authorization', bearer(ginette))
      .send({ to: roger, text: 'r', reply_to: pm.body.id });
    expect(inPm.status).toBe(201);
  });

  test('when the body is malformed JSON, then it answers 400', async () => {
    const { roger } = setup();
    const res = await request(t.app)
      .post('/msg')
      .set('Authorization', bearer(roger))
      .set('Content-Type', 'application/json')
      .send('{"channel":');
    expect(res.status).toBe(400);
  });
});
