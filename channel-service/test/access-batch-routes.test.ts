import request from 'supertest';
import { accessBatchAnswerSchema, MAX_ACCESS_BATCH } from '@canaduck/contracts';
import { bearer, serviceBearer, testDatabases, uniqueName } from '@canaduck/testing';
import { access, createChannel, join, useApp } from './support';

describe.each(testDatabases())('POST /internal/access/batch (%s)', (kind) => {
  const t = useApp(kind);
  const batch = (body: unknown, auth = serviceBearer('realtime-service', 'channel-service')) =>
    request(t.app)
      .post('/internal/access/batch')
      .set('Authorization', auth)
      .send(body as object);

  it('when members, outsiders, a banned user and an admin ask about a secret channel, then each gets the single route answer, in order', async () => {
    const owner = uniqueName('o');
    const member = uniqueName('m');
    const banned = uniqueName('b');
    const outsider = uniqueName('x');
    const name = await createChannel(t.app, owner);
    await join(t.app, name, member);
    await join(t.app, name, banned);
    await request(t.app).post(`/channel/${name}/ban`).set('Authorization', bearer(owner)).send({ pseudo: banned, reason: 'x' }).expect(200);
    await request(t.app).post(`/channel/${name}/mode`).set('Authorization', bearer(owner)).send({ mode: '+is' }).expect(200);
    const asks = [
      { pseudo: member.toUpperCase(), admin: false },
      { pseudo: outsider, admin: false },
      { pseudo: banned, admin: false },
      { pseudo: owner, admin: false },
      { pseudo: outsider, admin: true },
    ];
    const res = await batch({ channel: `#${name.toUpperCase()}`, asks });
    expect(res.status).toBe(200);
    expect(accessBatchAnswerSchema.strict().safeParse(res.body).error).toBeUndefined();
    expect(res.body.channel).toBe(name);
    expect(res.body.answers.map((a: { pseudo: string; admin: boolean }) => [a.pseudo, a.admin])).toEqual(
      asks.map((a) => [a.pseudo, a.admin]),
    );
    for (const [i, ask] of asks.entries()) {
      expect(res.body.answers[i].access).toEqual(await access(t.app, name, ask.pseudo, ask.admin));
    }
    expect(res.body.answers.map((a: { access: { can_read: boolean } }) => a.access.can_read)).toEqual([true, false, false, true, true]);
  });

  it('when the channel does not exist, then every answer is exists=false with nothing allowed', async () => {
    const res = await batch({ channel: uniqueName('none'), asks: [{ pseudo: 'roger', admin: true }] });
    expect(res.status).toBe(200);
    expect(res.body.answers[0].access).toMatchObject({ exists: false, channel_id: null, can_read: false, member: false });
  });

  it(`when ${MAX_ACCESS_BATCH} pseudos ask, then all are answered; one more is 422`, async () => {
    const owner = uniqueName('o');
    const name = await createChannel(t.app, owner);
    const asks = Array.from({ length: MAX_ACCESS_BATCH }, (_, i) => ({ pseudo: i === 0 ? owner : `p${i}`, admin: false }));
    const res = await batch({ channel: name, asks });
    expect(res.status).toBe(200);
    expect(res.body.answers).toHaveLength(MAX_ACCESS_BATCH);
    expect(res.body.answers[0].access).toMatchObject({ member: true, role: 'owner' });
    expect(res.body.answers[1].access).toMatchObject({ member: false, can_read: true });
    const over = await batch({ channel: name, asks: [...asks, { pseudo: 'one-more', admin: false }] });
    expect(over.status).toBe(422);
    expect(over.body.code).toBe('validation_failed');
  });

  it('when the body is malformed or has no asks, then it is 400 or 422, never a 5xx', async () => {
    expect((await batch({ channel: 'tech' })).status).toBe(400);
    expect((await batch({ channel: 'tech', asks: [{ pseudo: 'roger' }] })).status).toBe(400);
    expect((await batch({ channel: 'tech', asks: [{ pseudo: 'roger', admin: false, extra: 1 }] })).status).toBe(400);
    const empty = await batch({ channel: 'tech', asks: [] });
    expect(empty.status).toBe(422);
    expect(empty.body).toEqual({ error: expect.any(String), code: 'validation_failed', fields: expect.any(Array) });
  });

  it('when there is no service token, or a user token, then it is 401', async () => {
    const body = { channel: 'tech', asks: [{ pseudo: 'roger', admin: false }] };
    const none = await request(t.app).post('/internal/access/batch').send(body);
    expect(none.status).toBe(401);
    expect(none.body.code).toBe('token_missing');
    const user = await batch(body, bearer('roger', ['user', 'admin']));
    expect(user.status).toBe(401);
  });
});
