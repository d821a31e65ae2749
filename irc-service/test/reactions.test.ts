import { newUser, RawClient, rest, restToken, TestClient, unique, useDoor } from './support';

const { stack, door } = useDoor();

interface Msg {
  id: number;
  reply_to: number | null;
  reactions: Record<string, string[]>;
}

/** Two IRC clients of new users, both in a new channel. */
async function twoMembers(prefix: string) {
  const [a, b] = await Promise.all([newUser(stack(), 'a'), newUser(stack(), 'b')]);
  const channel = unique(prefix);
  const [ca, cb] = await Promise.all([TestClient.connect(door().port, a), TestClient.connect(door().port, b)]);
  try {
    await ca.join(`#${channel}`);
    await cb.join(`#${channel}`);
  } catch (err) {
    await Promise.all([ca.close(), cb.close()]);
    throw err;
  }
  return { a, b, channel, ca, cb };
}

/** `from` says `text` in the channel; resolves with the line as `to` received it. */
async function said(from: TestClient, to: TestClient, channel: string, text: string) {
  from.send(`PRIVMSG #${channel} :${text}`);
  return to.waitFor((m) => m.command === 'PRIVMSG' && m.params[1] === text);
}

describe('reactions and replies', () => {
  test('when a REST user reacts to a message, then IRC clients with message-tags get TAGMSG +draft/react once, and clients without it get nothing', async () => {
    const [a, r, plain] = await Promise.all([newUser(stack(), 'a'), newUser(stack(), 'r'), newUser(stack(), 'p')]);
    const channel = unique('react');
    const ca = await TestClient.connect(door().port, a);
    const cp = await RawClient.connect(door().port);
    try {
      await cp.register(plain);
      await ca.join(`#${channel}`);
      await cp.join(`#${channel}`);
      const token = await restToken(stack(), r);
      await rest(stack().urls.channel, 'POST', `/channel/${channel}/join`, { token });
      const posted = await rest<Msg>(stack().urls.message, 'POST', '/msg', { token, body: { channel, text: 'react to me' } });
      const line = await ca.waitFor((m) => m.command === 'PRIVMSG' && m.params[1] === 'react to me');
      expect(line.tags.msgid).toBe(String(posted.body.id));
      const reacted = await rest<Msg>(stack().urls.message, 'POST', '/msg/reaction', {
        token,
        body: { message_id: posted.body.id, emoji: '👍' },
      });
      expect(reacted.status).toBe(201);
      const tagmsg = await ca.waitFor('TAGMSG');
      expect(tagmsg.params).toEqual([`#${channel}`]);
      expect(tagmsg.source.startsWith(`${r.pseudo}!`)).toBe(true);
      expect(tagmsg.tags['+draft/react']).toBe('👍');
      expect(tagmsg.tags['+draft/reply']).toBe(String(posted.body.id));
      await rest(stack().urls.message, 'DELETE', `/msg/reaction?message_id=${posted.body.id}&emoji=${encodeURIComponent('👍')}`, { token });
      const un = await ca.waitFor((m) => m.command === 'TAGMSG' && m.tags['+draft/unreact'] === '👍');
      expect(un.tags['+draft/reply']).toBe(String(posted.body.id));
      // A later message proves the stream went past both reactions.
      await rest(stack().urls.message, 'POST', '/msg', { token, body: { channel, text: 'after' } });
      await cp.waitFor((m) => m.command === 'PRIVMSG' && m.params[1] === 'after');
      await ca.waitFor((m) => m.command === 'PRIVMSG' && m.params[1] === 'after');
      expect(ca.lines.filter((m) => m.command === 'TAGMSG')).toHaveLength(2);
      expect(cp.lines.filter((m) => m.command === 'TAGMSG')).toHaveLength(0);
    } finally {
      await Promise.all([ca.close(), cp.close()]);
    }
  });

  test('when an IRC client sends TAGMSG +draft/react with +draft/reply, then the reaction is stored over REST and other members get the TAGMSG', async () => {
    const { a, b, channel, ca, cb } = await twoMembers('tag');
    try {
      const msg = await said(ca, cb, channel, 'original');
      const id = msg.tags.msgid;
      cb.send(`@+draft/react=🎉;+draft/reply=${id} TAGMSG #${channel}`);
      const seen = await ca.waitFor('TAGMSG');
      expect(seen.tags['+draft/react']).toBe('🎉');
      expect(seen.source.startsWith(`${b.pseudo}!`)).toBe(true);
      const token = await restToken(stack(), a);
      const page = await rest<{ messages: Msg[] }>(stack().urls.message, 'GET', `/msg?channel=${channel}`, { token });
      expect(page.body.messages[0].reactions).toEqual({ '🎉': [b.pseudo] });

      // A reaction without its message: FAIL, nothing stored.
      cb.send(`@+draft/react=🎉 TAGMSG #${channel}`);
      expect((await cb.waitFor('FAIL')).params.slice(0, 2)).toEqual(['TAGMSG', 'INVALID_PARAMS']);
      cb.send(`@+draft/react=🎉;+draft/reply=999999999 TAGMSG #${channel}`);
      expect((await cb.waitFor((m) => m.command === 'FAIL' && m.params[1] !== 'INVALID_PARAMS')).params[0]).toBe('TAGMSG');
    } finally {
      await Promise.all([ca.close(), cb.close()]);
    }
  });

  test('when an IRC client sends PRIVMSG with +draft/reply, then it is stored as a reply and delivered with +draft/reply', async () => {
    const { a, channel, ca, cb } = await twoMembers('reply');
    try {
      const q = await said(ca, cb, channel, 'question');
      cb.send(`@+draft/reply=${q.tags.msgid} PRIVMSG #${channel} :answer`);
      const ans = await ca.waitFor((m) => m.command === 'PRIVMSG' && m.params[1] === 'answer');
      expect(ans.tags['+draft/reply']).toBe(q.tags.msgid);
      const token = await restToken(stack(), a);
      const page = await rest<{ messages: Msg[] }>(stack().urls.message, 'GET', `/msg?channel=${channel}`, { token });
      expect(page.body.messages[0]).toEqual(expect.objectContaining({ id: Number(ans.tags.msgid), reply_to: Number(q.tags.msgid) }));
    } finally {
      await Promise.all([ca.close(), cb.close()]);
    }
  });
});
