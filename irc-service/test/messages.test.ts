import { newUser, rest, restToken, startDoor, TestClient, unique, useDoor } from './support';

const { stack, door } = useDoor();

describe('PRIVMSG and NOTICE', () => {
  test('when an IRC client speaks in a channel, then the other IRC member and REST readers get it once, and echo-message returns it with its msgid', async () => {
    const [a, b] = await Promise.all([newUser(stack(), 'a'), newUser(stack(), 'b')]);
    const [ca, cb] = await Promise.all([TestClient.connect(door().port, a, { echo: true }), TestClient.connect(door().port, b)]);
    const chan = `#${unique('m')}`;
    try {
      await ca.join(chan);
      await cb.join(chan);
      ca.send(`PRIVMSG ${chan} :hello from irc`);
      const got = await cb.waitFor((m) => m.command === 'PRIVMSG' && m.params[1] === 'hello from irc');
      expect(got.source).toBe(`${a.pseudo}!${a.pseudo}@canaduck`);
      expect(got.tags.account).toBe(a.pseudo);
      const echo = await ca.waitFor((m) => m.command === 'PRIVMSG' && m.params[1] === 'hello from irc');
      expect(echo.tags.msgid).toBe(got.tags.msgid);
      const token = await restToken(stack(), b);
      const page = await rest<{ messages: Array<{ id: number; from: string; text: string }> }>(
        stack().urls.message,
        'GET',
        `/msg?channel=${chan.slice(1)}`,
        { token },
      );
      expect(page.body.messages).toEqual([expect.objectContaining({ id: Number(got.tags.msgid), from: a.pseudo, text: 'hello from irc' })]);
      await new Promise((r) => setTimeout(r, 300));
      expect(cb.lines.filter((l) => l.command === 'PRIVMSG')).toHaveLength(1);
    } finally {
      await Promise.all([ca.close(), cb.close()]);
    }
  });

  test('when a REST user posts with POST /msg, then IRC members of the channel receive it with server-time', async () => {
    const [a, r] = await Promise.all([newUser(stack(), 'a'), newUser(stack(), 'r')]);
    const ca = await TestClient.connect(door().port, a);
    const chan = unique('rest');
    try {
      await ca.join(`#${chan}`);
      const token = await restToken(stack(), r);
      expect((await rest(stack().urls.channel, 'POST', `/channel/${chan}/join`, { token })).status).toBe(200);
      const posted = await rest<{ id: number; timestamp: string }>(stack().urls.message, 'POST', '/msg', {
        token,
        body: { channel: chan, text: 'hi from rest\nsecond line' },
      });
      expect(posted.status).toBe(201);
      const first = await ca.waitFor((m) => m.command === 'PRIVMSG' && m.params[1] === 'hi from rest');
      expect(first.tags).toEqual(
        expect.objectContaining({ msgid: String(posted.body.id), time: posted.body.timestamp, account: r.pseudo }),
      );
      await ca.waitFor((m) => m.command === 'PRIVMSG' && m.params[1] === 'second line');
    } finally {
      await ca.close();
    }
  });

  test('when a client messages a nick, then it arrives as a private message; unknown nicks get 401, closed channels 404', async () => {
    const [a, b] = await Promise.all([newUser(stack(), 'a'), newUser(stack(), 'b')]);
    const [ca, cb] = await Promise.all([TestClient.connect(door().port, a), TestClient.connect(door().port, b)]);
    const chan = `#${unique('n')}`;
    try {
      ca.send(`PRIVMSG ${b.pseudo} :psst`);
      const pm = await cb.waitFor((m) => m.command === 'PRIVMSG' && m.params[1] === 'psst');
      expect(pm.params[0]).toBe(b.pseudo);
      ca.send('PRIVMSG nosuchuser1x :hello');
      expect((await ca.waitFor('401')).params[1]).toBe('nosuchuser1x');
      await cb.join(chan);
      ca.send(`PRIVMSG ${chan} :outside`); // +n: members only
      expect((await ca.waitFor('404')).params[1]).toBe(chan);
      ca.send('PRIVMSG #nosuchchan9 :x');
      expect((await ca.waitFor('403')).params[1]).toBe('#nosuchchan9');
      ca.send(`NOTICE ${chan} :no reply ever`);
      ca.send('PRIVMSG');
      expect((await ca.waitFor('411')).params[1]).toMatch(/No recipient/);
      expect(ca.lines.filter((l) => l.command === '404')).toHaveLength(1);
    } finally {
      await Promise.all([ca.close(), cb.close()]);
    }
  });
});

describe('edits and deletions', () => {
  test('when a message is edited then deleted over REST, then IRC members get NOTICEs pointing at its msgid', async () => {
    const [a, r] = await Promise.all([newUser(stack(), 'a'), newUser(stack(), 'r')]);
    const ca = await TestClient.connect(door().port, a);
    const chan = unique('ed');
    try {
      await ca.join(`#${chan}`);
      const token = await restToken(stack(), r);
      await rest(stack().urls.channel, 'POST', `/channel/${chan}/join`, { token });
      const posted = await rest<{ id: number }>(stack().urls.message, 'POST', '/msg', { token, body: { channel: chan, text: 'typo' } });
      await ca.waitFor((m) => m.command === 'PRIVMSG' && m.params[1] === 'typo');
      expect((await rest(stack().urls.message, 'PUT', `/msg/${posted.body.id}`, { token, body: { text: 'fixed' } })).status).toBe(200);
      const edit = await ca.waitFor((m) => m.command === 'NOTICE' && m.params[1] === '[edited] fixed');
      expect(edit.tags['+draft/reply']).toBe(String(posted.body.id));
      expect(edit.source.startsWith(`${r.pseudo}!`)).toBe(true);
      expect((await rest(stack().urls.message, 'DELETE', `/msg/${posted.body.id}`, { token })).status).toBe(200);
      await ca.waitFor((m) => m.command === 'NOTICE' && m.params[1] === '[deleted]');
    } finally {
      await ca.close();
    }
  });

  test('when a message posted before the door started is edited, then its members get the NOTICE (the event carries its channel)', async () => {
    const [a, r] = await Promise.all([newUser(stack(), 'a'), newUser(stack(), 'r')]);
    const token = await restToken(stack(), r);
    const chan = unique('old');
    await rest(stack().urls.channel, 'POST', '/channel', { token, body: { name: chan } });
    const posted = await rest<{ id: number }>(stack().urls.message, 'POST', '/msg', { token, body: { channel: chan, text: 'old typo' } });
    const later = await startDoor(stack());
    const ca = await TestClient.connect(later.port, a);
    try {
      await ca.join(`#${chan}`);
      expect((await rest(stack().urls.message, 'PUT', `/msg/${posted.body.id}`, { token, body: { text: 'old fixed' } })).status).toBe(200);
      const edit = await ca.waitFor((m) => m.command === 'NOTICE' && m.params[1] === '[edited] old fixed');
      expect(edit.params[0]).toBe(`#${chan}`);
      expect(edit.tags['+draft/reply']).toBe(String(posted.body.id));
    } finally {
      await ca.close();
      await later.stop();
    }
  });
});
