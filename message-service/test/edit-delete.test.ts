import request from 'supertest';
import { bearer, testDatabases, uniqueName } from '@canaduck/testing';
import { useWorldApp } from './support';

describe.each(testDatabases())('PUT and DELETE /msg/<id> on %s', (kind) => {
  const { world, t, post } = useWorldApp(kind);

  const texts = async (who: string, channel: string) =>
    (await request(t.app).get(`/msg?channel=${channel}`).set('Authorization', bearer(who))).body.messages.map(
      (m: { text: string }) => m.text,
    );

  function setup() {
    const roger = uniqueName('roger');
    const ginette = uniqueName('ginette');
    const mod = uniqueName('mod');
    const channel = uniqueName('chan');
    world.channel(channel, { owner: roger, moderators: [mod], members: [ginette] });
    return { roger, ginette, mod, channel };
  }

  test('when the author edits a message, then 200 with the new text and edited_at set', async () => {
    const { ginette, channel } = setup();
    const m = (await post(ginette, { channel, text: 'typo' })).body;
    const res = await request(t.app).put(`/msg/${m.id}`).set('Authorization', bearer(ginette)).send({ text: 'fixed ✅' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: m.id, text: 'fixed ✅', from: ginette });
    expect(Date.parse(res.body.edited_at)).toBeGreaterThanOrEqual(Date.parse(m.timestamp));
    expect(await texts(ginette, channel)).toEqual(['fixed ✅']);
  });

  test("when another pseudo with a real JWT edits someone else's message, then 403 and the text is unchanged", async () => {
    const { roger, ginette, channel } = setup();
    const m = (await post(ginette, { channel, text: 'mine' })).body;
    for (const who of [bearer(roger), bearer(uniqueName('admin'), ['user', 'admin'])]) {
      const res = await request(t.app).put(`/msg/${m.id}`).set('Authorization', who).send({ text: 'hacked' });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('not_author');
    }
    expect(await texts(ginette, channel)).toEqual(['mine']);
  });

  test('when editing with bad input or an unknown id, then 400, 422 or 404', async () => {
    const { ginette, channel } = setup();
    const m = (await post(ginette, { channel, text: 'x' })).body;
    const put = (id: string, body: object) => request(t.app).put(`/msg/${id}`).set('Authorization', bearer(ginette)).send(body);
    expect((await put(String(m.id), {})).status).toBe(400);
    expect((await put(String(m.id), { text: ' ' })).status).toBe(422);
    expect((await put(String(m.id), { text: 'a'.repeat(4001) })).status).toBe(422);
    expect((await put('999999999', { text: 'y' })).status).toBe(404);
    expect((await put('0', { text: 'y' })).status).toBe(400);
    expect((await request(t.app).put(`/msg/${m.id}`).send({ text: 'y' })).status).toBe(401);
  });

  test('when the author has been banned since, then editing is refused with 403', async () => {
    const { ginette, channel } = setup();
    const m = (await post(ginette, { channel, text: 'before ban' })).body;
    world.channels.get(channel)!.banned.push(ginette);
    const res = await request(t.app).put(`/msg/${m.id}`).set('Authorization', bearer(ginette)).send({ text: 'after' });
    expect(res.status).toBe(403);
  });

  test('when someone edits a private message they are not part of, then 404; the recipient gets 403', async () => {
    const a = uniqueName('a');
    const b = uniqueName('b');
    world.user(a, b);
    const m = (await post(a, { to: b, text: 'pm' })).body;
    expect(
      (
        await request(t.app)
          .put(`/msg/${m.id}`)
          .set('Authorization', bearer(uniqueName('eve')))
          .send({ text: 'x' })
      ).status,
    ).toBe(404);
    expect((await request(t.app).put(`/msg/${m.id}`).set('Authorization', bearer(b)).send({ text: 'x' })).status).toBe(403);
    expect((await request(t.app).put(`/msg/${m.id}`).set('Authorization', bearer(a)).send({ text: 'edited pm' })).status).toBe(200);
  });

  test('when the author, a moderator, the owner or an admin deletes, then 200 and the message leaves the list', async () => {
    const { roger, ginette, mod, channel } = setup();
    const deleters = [ginette, mod, roger, uniqueName('admin')];
    for (const who of deleters) {
      const m = (await post(ginette, { channel, text: `for ${who}` })).body;
      const roles = who === deleters[3] ? ['user', 'admin'] : ['user'];
      const res = await request(t.app).delete(`/msg/${m.id}`).set('Authorization', bearer(who, roles));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ result: `message ${m.id} deleted` });
      expect((await request(t.app).delete(`/msg/${m.id}`).set('Authorization', bearer(who, roles))).status).toBe(404);
    }
    expect(await texts(ginette, channel)).toEqual([]);
  });

  test("when a plain member deletes another user's message, then 403 and it stays", async () => {
    const { roger, ginette, channel } = setup();
    const m = (await post(roger, { channel, text: 'owner says' })).body;
    const res = await request(t.app).delete(`/msg/${m.id}`).set('Authorization', bearer(ginette));
    expect(res.status).toBe(403);
    expect(await texts(ginette, channel)).toEqual(['owner says']);
  });

  test('when the recipient or a stranger deletes a private message, then 403 or 404; the author may', async () => {
    const a = uniqueName('a');
    const b = uniqueName('b');
    world.user(a, b);
    const m = (await post(a, { to: b, text: 'pm' })).body;
    expect((await request(t.app).delete(`/msg/${m.id}`).set('Authorization', bearer(b))).status).toBe(403);
    expect(
      (
        await request(t.app)
          .delete(`/msg/${m.id}`)
          .set('Authorization', bearer(uniqueName('eve')))
      ).status,
    ).toBe(404);
    expect((await request(t.app).delete(`/msg/${m.id}`).set('Authorization', bearer(a))).status).toBe(200);
    const left = await request(t.app).get(`/msg/private?from=${a}&to=${b}`).set('Authorization', bearer(a));
    expect(left.body.messages).toEqual([]);
  });

  test('when a deleted message was a thread root or pinned, then its thread is 404 and it leaves the pins', async () => {
    const { roger, channel } = setup();
    const root = (await post(roger, { channel, text: 'root' })).body;
    const reply = (await post(roger, { channel, text: 'reply', reply_to: root.id })).body;
    await request(t.app).post(`/msg/${root.id}/pin`).set('Authorization', bearer(roger)).expect(200);
    await request(t.app).delete(`/msg/${root.id}`).set('Authorization', bearer(roger)).expect(200);
    expect((await request(t.app).get(`/msg/thread/${root.id}`).set('Authorization', bearer(roger))).status).toBe(404);
    const viaReply = await request(t.app).get(`/msg/thread/${reply.id}`).set('Authorization', bearer(roger));
    expect(viaReply.body.root).toBeNull();
    expect(viaReply.body.replies.map((m: { id: number }) => m.id)).toEqual([reply.id]);
    const pinned = await request(t.app).get(`/msg/pinned?channel=${channel}`).set('Authorization', bearer(roger));
    expect(pinned.body.messages).toEqual([]);
  });
});
