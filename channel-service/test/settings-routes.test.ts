import request from 'supertest';
import { bearer, testDatabases, uniqueName } from '@canaduck/testing';
import { admin, config, createChannel, join, useApp } from './support';

describe.each(testDatabases())('topic, mode and PATCH (%s)', (kind) => {
  const t = useApp(kind);

  /** A channel with an owner, a moderator and a plain member. */
  async function staffedChannel(body: Record<string, unknown> = {}) {
    const owner = uniqueName('own');
    const mod = uniqueName('mod');
    const member = uniqueName('mem');
    const name = await createChannel(t.app, owner, body);
    await join(t.app, name, mod);
    await join(t.app, name, member);
    await request(t.app).post(`/channel/${name}/moderators`).set('Authorization', bearer(owner)).send({ pseudo: mod }).expect(200);
    return { name, owner, mod, member };
  }

  describe('POST /channel/<name>/topic', () => {
    it('when a non-moderator member changes the topic under +t, then it is 403 and the topic is unchanged', async () => {
      const c = await staffedChannel({ topic: 'before' });
      const res = await request(t.app).post(`/channel/${c.name}/topic`).set('Authorization', bearer(c.member)).send({ topic: 'after' });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        error: `only the owner and moderators of #${c.name} may change its topic (mode +t)`,
        code: 'not_moderator',
      });
      expect((await config(t.app, c.name)).topic).toBe('before');
    });

    it('when the owner, a moderator or an admin changes the topic, then it is 200 with the new config', async () => {
      const c = await staffedChannel();
      for (const [who, topic] of [
        [bearer(c.owner), 'by owner'],
        [bearer(c.mod), 'by mod 🦆'],
        [admin(), 'by admin'],
      ]) {
        const res = await request(t.app).post(`/channel/${c.name}/topic`).set('Authorization', who).send({ topic });
        expect(res.status).toBe(200);
        expect(res.body.topic).toBe(topic);
        expect((await config(t.app, c.name)).topic).toBe(topic);
      }
    });

    it('when mode t is unset, then any member may change the topic, but not an outsider', async () => {
      const c = await staffedChannel();
      await request(t.app).post(`/channel/${c.name}/mode`).set('Authorization', bearer(c.owner)).send({ mode: '-t' }).expect(200);
      const ok = await request(t.app)
        .post(`/channel/${c.name}/topic`)
        .set('Authorization', bearer(c.member))
        .send({ topic: 'members rule' });
      expect(ok.status).toBe(200);
      const outsider = await request(t.app)
        .post(`/channel/${c.name}/topic`)
        .set('Authorization', bearer(uniqueName()))
        .send({ topic: 'x' });
      expect(outsider.status).toBe(403);
      expect(outsider.body.code).toBe('not_member');
      expect((await config(t.app, c.name)).topic).toBe('members rule');
    });

    it('when the topic has 300 emoji, then it is accepted; 301 characters is 422', async () => {
      const c = await staffedChannel();
      const ok = await request(t.app)
        .post(`/channel/${c.name}/topic`)
        .set('Authorization', bearer(c.owner))
        .send({ topic: '🦆'.repeat(300) });
      expect(ok.status).toBe(200);
      expect((await config(t.app, c.name)).topic).toBe('🦆'.repeat(300));
      const long = await request(t.app)
        .post(`/channel/${c.name}/topic`)
        .set('Authorization', bearer(c.owner))
        .send({ topic: 'a'.repeat(301) });
      expect(long.status).toBe(422);
      expect(long.body.error).toContain('at most 300 characters');
    });

    it.each([
      ['IRC bold, colour and reset codes', '\u0002Welcome\u0002 to \u000303green\u000f', 200],
      [
        'italic, underline, strikethrough, reverse and monospace codes',
        '\u001di\u001d \u001fu\u001f \u001es\u001e \u0016r\u0016 \u0011m',
        200,
      ],
      ['a bell character', 'ring\u0007', 422],
      ['a carriage return', 'a\rb', 422],
      ['a CTCP delimiter', '\u0001ACTION waves\u0001', 422],
      ['a tab', 'a\tb', 422],
    ])('when the topic has %s, then it is %i', async (_case, topic, status) => {
      const c = await staffedChannel({ topic: 'before' });
      const res = await request(t.app).post(`/channel/${c.name}/topic`).set('Authorization', bearer(c.owner)).send({ topic });
      expect(res.status).toBe(status);
      expect((await config(t.app, c.name)).topic).toBe(status === 200 ? topic : 'before');
    });

    it('when the topic is missing or not a string, then it is 400; without a token 401; unknown channel 404', async () => {
      const c = await staffedChannel();
      expect((await request(t.app).post(`/channel/${c.name}/topic`).set('Authorization', bearer(c.owner)).send({})).status).toBe(400);
      expect((await request(t.app).post(`/channel/${c.name}/topic`).set('Authorization', bearer(c.owner)).send({ topic: 5 })).status).toBe(
        400,
      );
      expect((await request(t.app).post(`/channel/${c.name}/topic`).send({ topic: 'x' })).status).toBe(401);
      expect(
        (
          await request(t.app)
            .post(`/channel/${uniqueName('no')}/topic`)
            .set('Authorization', bearer(c.owner))
            .send({ topic: 'x' })
        ).status,
      ).toBe(404);
    });
  });

  describe('POST /channel/<name>/mode', () => {
    it('when the owner sets several modes at once, then they all apply, in IRC order', async () => {
      const c = await staffedChannel();
      const res = await request(t.app).post(`/channel/${c.name}/mode`).set('Authorization', bearer(c.owner)).send({ mode: '+rs-t' });
      expect(res.status).toBe(200);
      expect(res.body.modes).toEqual(['n', 'r', 's']);
      const again = await request(t.app).post(`/channel/${c.name}/mode`).set('Authorization', bearer(c.mod)).send({ mode: '+i-s+t-n' });
      expect(again.body.modes).toEqual(['i', 'r', 't']);
      expect(again.body.private).toBe(true);
      expect((await config(t.app, c.name)).modes).toEqual(['i', 'r', 't']);
    });

    it('when a plain member or an outsider changes modes, then it is 403 even with -t', async () => {
      const c = await staffedChannel();
      await request(t.app).post(`/channel/${c.name}/mode`).set('Authorization', bearer(c.owner)).send({ mode: '-t' }).expect(200);
      for (const who of [c.member, uniqueName()]) {
        const res = await request(t.app).post(`/channel/${c.name}/mode`).set('Authorization', bearer(who)).send({ mode: '+r' });
        expect(res.status).toBe(403);
        expect(res.body.code).toBe('not_moderator');
      }
      expect((await config(t.app, c.name)).modes).toEqual(['n']);
    });

    it.each([
      { mode: '+x', code: 'unknown_mode', text: 'unknown mode letter "x"' },
      { mode: '+r-q', code: 'unknown_mode', text: 'unknown mode letter "q"' },
      { mode: 'rt', code: 'mode_sign_missing', text: 'starts with + or -' },
      { mode: '', code: 'empty_mode', text: 'empty' },
      { mode: '+', code: 'mode_letter_missing', text: 'without a mode letter' },
      { mode: '+-r', code: 'mode_letter_missing', text: 'without a mode letter' },
      { mode: '+R', code: 'unknown_mode', text: 'unknown mode letter "R"' },
    ])('when the mode is $mode, then it is 422 ($code) and nothing changes', async ({ mode, code, text }) => {
      const c = await staffedChannel();
      const res = await request(t.app).post(`/channel/${c.name}/mode`).set('Authorization', bearer(c.owner)).send({ mode });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe(code);
      expect(res.body.error).toContain(text);
      expect((await config(t.app, c.name)).modes).toEqual(['n', 't']);
    });

    it('when mode is missing or not a string, then it is 400', async () => {
      const c = await staffedChannel();
      expect((await request(t.app).post(`/channel/${c.name}/mode`).set('Authorization', bearer(c.owner)).send({})).status).toBe(400);
      expect(
        (
          await request(t.app)
            .post(`/channel/${c.name}/mode`)
            .set('Authorization', bearer(c.owner))
            .send({ mode: ['+r'] })
        ).status,
      ).toBe(400);
    });
  });

  describe('PATCH /channel/<name>', () => {
    it('when the owner patches topic, mode and private at once, then all apply', async () => {
      const c = await staffedChannel();
      const res = await request(t.app)
        .patch(`/channel/${c.name}`)
        .set('Authorization', bearer(c.owner))
        .send({ topic: 'patched', mode: '+r', private: true });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ topic: 'patched', modes: ['i', 'n', 'r', 't'], private: true });
      const back = await request(t.app).patch(`/channel/${c.name}`).set('Authorization', bearer(c.owner)).send({ private: false });
      expect(back.body.modes).toEqual(['n', 'r', 't']);
    });

    it('when a member patches the mode (even with an allowed topic), then it is 403 and nothing is written', async () => {
      const c = await staffedChannel();
      await request(t.app).post(`/channel/${c.name}/mode`).set('Authorization', bearer(c.owner)).send({ mode: '-t' }).expect(200);
      const res = await request(t.app)
        .patch(`/channel/${c.name}`)
        .set('Authorization', bearer(c.member))
        .send({ topic: 'sneaky', mode: '+r' });
      expect(res.status).toBe(403);
      const cfg = await config(t.app, c.name);
      expect(cfg.topic).toBe('');
      expect(cfg.modes).toEqual(['n']);
    });

    it('when the patch is empty, then it is 400; a bad mode is 422 and the topic is not written', async () => {
      const c = await staffedChannel();
      expect((await request(t.app).patch(`/channel/${c.name}`).set('Authorization', bearer(c.owner)).send({})).status).toBe(400);
      const bad = await request(t.app)
        .patch(`/channel/${c.name}`)
        .set('Authorization', bearer(c.owner))
        .send({ topic: 'nope', mode: '+z' });
      expect(bad.status).toBe(422);
      expect((await config(t.app, c.name)).topic).toBe('');
    });
  });
});
