import { newUser, rest, restToken, startDoor, TestClient, unique, useDoor, twoConnected } from './support';

const { stack, door } = useDoor();

describe('PRIVMSG and NOTICE', () => {
  test('when an IRC client speaks in a channel, then the other IRC member and REST readers get it once, and echo-message returns it with its msgid', async () => {
    const { a, b, ca, cb } = await twoConnected(stack(), door().port, { echoA: true });
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
    const { b, ca, cb } = await twoConnected(stack(), door().port);
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

describe('CTCP', () => {
  const privatePage = async (a: { pseudo: string }, b: { pseudo: string }, token: string) =>
    (
      await rest<{ messages: Array<{ text: string }> }>(stack().urls.message, 'GET', `/msg/private?from=${a.pseudo}&to=${b.pseudo}`, {
        token,
      })
    ).body.messages.map((m) => m.text);

  test('when a client sends CTCP VERSION to a nick, then it goes live, the real client answers it by NOTICE, that comes back as NOTICE, and nothing is stored', async () => {
    const { a, b, ca, cb } = await twoConnected(stack(), door().port);
    try {
      ca.send(`PRIVMSG ${b.pseudo} :\x01VERSION\x01`);
      const asked = await cb.waitFor((m) => m.params[1] === '\x01VERSION\x01');
      expect(asked).toEqual(
        expect.objectContaining({ command: 'PRIVMSG', source: `${a.pseudo}!${a.pseudo}@canaduck`, params: [b.pseudo, '\x01VERSION\x01'] }),
      );
      // irc-framework (The Lounge's IRC library) answers VERSION by itself, as IRC clients do.
      const answer = await ca.waitFor((m) => m.params[1]?.startsWith('\x01VERSION '));
      expect(answer).toEqual(expect.objectContaining({ command: 'NOTICE', source: `${b.pseudo}!${b.pseudo}@canaduck` }));
      // A plain line after them: once it is stored and delivered, the CTCP lines would have been too.
      ca.send(`PRIVMSG ${b.pseudo} :plain after ctcp`);
      await cb.waitFor((m) => m.params[1] === 'plain after ctcp');
      expect(await privatePage(a, b, await restToken(stack(), a))).toEqual(['plain after ctcp']);
      // Once each: stored, the NOTICE would have come back as a PRIVMSG request, answered again and again.
      expect(cb.lines.filter((m) => m.params[1]?.startsWith('\x01'))).toHaveLength(1);
      expect(ca.lines.filter((m) => m.params[1]?.startsWith('\x01'))).toHaveLength(1);
    } finally {
      await Promise.all([ca.close(), cb.close()]);
    }
  });

  test('when a client sends /me (CTCP ACTION) in a channel, then it is a stored message that IRC members and REST readers get as sent', async () => {
    const { b, ca, cb } = await twoConnected(stack(), door().port);
    const chan = `#${unique('me')}`;
    try {
      await ca.join(chan);
      await cb.join(chan);
      ca.send(`PRIVMSG ${chan} :\x01ACTION waves\x01`);
      const got = await cb.waitFor((m) => m.command === 'PRIVMSG' && m.params[1] === '\x01ACTION waves\x01');
      expect(got.tags.msgid).toMatch(/^[0-9]+$/);
      const page = await rest<{ messages: Array<{ text: string }> }>(stack().urls.message, 'GET', `/msg?channel=${chan.slice(1)}`, {
        token: await restToken(stack(), b),
      });
      expect(page.body.messages.map((m) => m.text)).toEqual(['\x01ACTION waves\x01']);
    } finally {
      await Promise.all([ca.close(), cb.close()]);
    }
  });

  test('when CTCP goes to a channel the sender is not in, to a bad nick or to a user not on IRC, then 404, 401 or a NOTICE says so and nobody gets it', async () => {
    const [a, b, r] = await Promise.all([newUser(stack(), 'a'), newUser(stack(), 'b'), newUser(stack(), 'r')]);
    const [ca, cb] = await Promise.all([TestClient.connect(door().port, a), TestClient.connect(door().port, b)]);
    const chan = `#${unique('ct')}`;
    try {
      await cb.join(chan);
      ca.send(`PRIVMSG ${chan} :\x01PING 123\x01`);
      expect((await ca.waitFor('404')).params[1]).toBe(chan);
      ca.send('PRIVMSG 9bad :\x01TIME\x01');
      expect((await ca.waitFor('401')).params[1]).toBe('9bad');
      ca.send(`PRIVMSG ${r.pseudo} :\x01CLIENTINFO\x01`);
      expect((await ca.waitFor((m) => m.command === 'NOTICE' && m.params[1].includes(r.pseudo))).params[1]).toMatch(
        /not connected over IRC/,
      );
      ca.send(`NOTICE ${chan} :\x01PING 1\x01`);
      ca.send(`PRIVMSG ${b.pseudo} :marker`);
      await cb.waitFor((m) => m.params[1] === 'marker');
      expect(cb.lines.filter((m) => m.params[1]?.startsWith('\x01'))).toHaveLength(0);
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
