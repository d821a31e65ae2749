import { newUser, rest, restToken, TestClient, unique, useDoor } from './support';

const { stack, door } = useDoor();

describe('CHATHISTORY (draft/chathistory, backed by GET /msg)', () => {
  test('when a client asks LATEST, BEFORE and AFTER, then a batch of the stored messages comes back, oldest first, msgid = message id', async () => {
    const u = await newUser(stack(), 'h');
    const token = await restToken(stack(), u);
    const chan = unique('hist');
    expect((await rest(stack().urls.channel, 'POST', '/channel', { token, body: { name: chan } })).status).toBe(201);
    const ids: number[] = [];
    for (let i = 1; i <= 5; i++) {
      const r = await rest<{ id: number }>(stack().urls.message, 'POST', '/msg', { token, body: { channel: chan, text: `m${i}` } });
      ids.push(r.body.id);
    }
    const c = await TestClient.connect(door().port, u);
    try {
      const batchOf = async (line: string) => {
        const mark = c.mark();
        c.send(line);
        const open = await c.waitFor((m) => m.command === 'BATCH' && m.params[0].startsWith('+'), 5000, mark);
        const ref = open.params[0].slice(1);
        expect(open.params.slice(1)).toEqual(['chathistory', `#${chan}`]);
        await c.waitFor((m) => m.command === 'BATCH' && m.params[0] === `-${ref}`, 5000, mark);
        return c.lines.slice(mark).filter((m) => m.command === 'PRIVMSG' && m.tags.batch === ref);
      };
      const latest = await batchOf(`CHATHISTORY LATEST #${chan} * 3`);
      expect(latest.map((m) => m.params[1])).toEqual(['m3', 'm4', 'm5']);
      expect(latest.map((m) => Number(m.tags.msgid))).toEqual(ids.slice(2));
      expect(latest[0].tags.time).toMatch(/^\d{4}-\d\d-\d\dT/);
      const before = await batchOf(`CHATHISTORY BEFORE #${chan} msgid=${ids[3]} 2`);
      expect(before.map((m) => m.params[1])).toEqual(['m2', 'm3']);
      const after = await batchOf(`CHATHISTORY AFTER #${chan} msgid=${ids[1]} 2`);
      expect(after.map((m) => m.params[1])).toEqual(['m3', 'm4']);
      const between = await batchOf(`CHATHISTORY BETWEEN #${chan} msgid=${ids[4]} msgid=${ids[0]} 10`);
      expect(between.map((m) => m.params[1])).toEqual(['m2', 'm3', 'm4']);
      c.send(`CHATHISTORY LATEST #${chan} bogus 3`);
      expect((await c.waitFor('FAIL')).params.slice(0, 2)).toEqual(['CHATHISTORY', 'INVALID_PARAMS']);
    } finally {
      await c.close();
    }
  });

  test('when the channel is private and the client not a member, then FAIL INVALID_TARGET', async () => {
    const [owner, other] = await Promise.all([newUser(stack(), 'o'), newUser(stack(), 'x')]);
    const token = await restToken(stack(), owner);
    const chan = unique('priv');
    await rest(stack().urls.channel, 'POST', '/channel', { token, body: { name: chan, private: true } });
    await rest(stack().urls.message, 'POST', '/msg', { token, body: { channel: chan, text: 'secret' } });
    const c = await TestClient.connect(door().port, other);
    try {
      c.send(`CHATHISTORY LATEST #${chan} * 10`);
      expect((await c.waitFor('FAIL')).params[1]).toBe('INVALID_TARGET');
      expect(c.lines.some((m) => m.command === 'PRIVMSG')).toBe(false);
    } finally {
      await c.close();
    }
  });
});
