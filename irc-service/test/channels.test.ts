import { newUser, RawClient, rest, restToken, TestClient, unique, useDoor, twoConnected } from './support';

const { stack, door } = useDoor();

async function two(): Promise<[TestClient, TestClient, string, string]> {
  const { a, b, ca, cb } = await twoConnected(stack(), door().port);
  return [ca, cb, a.pseudo, b.pseudo];
}

describe('JOIN, NAMES, PART', () => {
  test('when a client joins a channel that does not exist, then it is created with the joiner as owner (@) and 353/366 follow', async () => {
    const [ca, cb, a, b] = await two();
    const chan = `#${unique('c')}`;
    try {
      ca.send(`JOIN ${chan}`);
      expect((await ca.waitFor('JOIN')).params[0]).toBe(chan);
      const names = await ca.waitFor('353');
      // irc-framework asks for userhost-in-names: full masks.
      expect(names.params.slice(1)).toEqual(['=', chan, `@${a}!${a}@canaduck`]);
      await ca.waitFor('366');
      const cfg = await rest<{ owner: string }>(stack().urls.channel, 'GET', `/channel/${chan.slice(1)}/config`);
      expect(cfg.body.owner).toBe(a);

      ca.send(`TOPIC ${chan} :the topic`);
      await ca.waitFor((m) => m.command === 'TOPIC' && m.params[1] === 'the topic');
      cb.send(`JOIN ${chan}`);
      expect((await cb.waitFor('332')).params.slice(1)).toEqual([chan, 'the topic']);
      expect((await cb.waitFor('333')).params[2]).toBe(`${a}!${a}@canaduck`);
      expect((await cb.waitFor('353')).params[3].split(' ').sort()).toEqual([`@${a}!${a}@canaduck`, `${b}!${b}@canaduck`].sort());
      // The owner sees the newcomer join.
      expect((await ca.waitFor((m) => m.command === 'JOIN' && m.source.startsWith(`${b}!`))).params[0]).toBe(chan);

      cb.send(`PART ${chan} :later`);
      expect((await ca.waitFor((m) => m.command === 'PART' && m.source.startsWith(`${b}!`))).params).toEqual([chan, 'later']);
      await cb.waitFor('PART');
      cb.send(`PART ${chan}`);
      expect((await cb.waitFor('442')).params[1]).toBe(chan);
      const users = await rest<{ users: Array<{ pseudo: string }> }>(stack().urls.channel, 'GET', `/channel/${chan.slice(1)}/users`);
      expect(users.body.users.map((u) => u.pseudo)).toEqual([a]);
    } finally {
      await Promise.all([ca.close(), cb.close()]);
    }
  });

  test('when clients negotiated extended-join, userhost-in-names and invite-notify, then JOINs carry account and realname, NAMES full masks, and members see INVITEs', async () => {
    const [a, b, r] = await Promise.all([newUser(stack(), 'a'), newUser(stack(), 'b'), newUser(stack(), 'r')]);
    const [ca, cb] = await Promise.all([TestClient.connect(door().port, a), TestClient.connect(door().port, b)]);
    const raw = await RawClient.connect(door().port);
    const chan = `#${unique('x')}`;
    try {
      expect(ca.lines.find((m) => m.command === 'CAP' && m.params[1] === 'ACK')?.params[2].split(' ')).toEqual(
        expect.arrayContaining(['extended-join', 'userhost-in-names', 'invite-notify']),
      );
      await ca.join(chan);
      // A client without the capabilities: the plain forms (RFC 1459).
      await raw.register(r);
      raw.send(`JOIN ${chan}`);
      await raw.waitFor('366');
      expect((await raw.waitFor('353')).params[3].split(' ').sort()).toEqual([`@${a.pseudo}`, r.pseudo].sort());
      expect((await ca.waitFor((m) => m.command === 'JOIN' && m.source.startsWith(`${r.pseudo}!`))).params).toEqual([
        chan,
        r.pseudo,
        r.pseudo,
      ]);
      cb.send(`JOIN ${chan}`);
      expect((await ca.waitFor((m) => m.command === 'JOIN' && m.source.startsWith(`${b.pseudo}!`))).params).toEqual([
        chan,
        b.pseudo,
        `${b.pseudo} test`,
      ]);
      expect((await raw.waitFor((m) => m.command === 'JOIN' && m.source.startsWith(`${b.pseudo}!`))).params).toEqual([chan]);
      ca.send(`MODE ${chan} +i`);
      await ca.waitFor((m) => m.command === 'MODE' && m.params[1] === '+i');
      const c = await newUser(stack(), 'c');
      ca.send(`INVITE ${c.pseudo} ${chan}`);
      const seen = await cb.waitFor((m) => m.command === 'INVITE');
      expect(seen).toEqual(expect.objectContaining({ source: `${a.pseudo}!${a.pseudo}@canaduck`, params: [c.pseudo, chan] }));
      raw.send(`PING after-invite`);
      await raw.waitFor((m) => m.command === 'PONG' && m.params.includes('after-invite'));
      expect(raw.lines.some((m) => m.command === 'INVITE')).toBe(false);
    } finally {
      await Promise.all([ca.close(), cb.close(), raw.close()]);
    }
  });

  test('when a channel is invite-only or the user is banned or the name is bad, then 473 / 474 / 403', async () => {
    const [ca, cb, , b] = await two();
    const chan = `#${unique('p')}`;
    try {
      await ca.join(chan);
      ca.send(`MODE ${chan} +i`);
      await ca.waitFor((m) => m.command === 'MODE' && m.params[0] === chan && m.params[1] === '+i');
      cb.send(`JOIN ${chan}`);
      expect((await cb.waitFor('473')).params[1]).toBe(chan);
      ca.send(`INVITE ${b} ${chan}`);
      expect((await ca.waitFor('341')).params.slice(1)).toEqual([b, chan]);
      expect((await cb.waitFor('INVITE')).params[1]).toBe(chan);
      ca.send(`MODE ${chan} +b ${b}!*@*`);
      await ca.waitFor((m) => m.command === 'MODE' && m.params[1] === '+b');
      cb.send(`JOIN ${chan}`);
      expect((await cb.waitFor('474')).params[1]).toBe(chan);
      ca.send(`MODE ${chan} b`);
      expect((await ca.waitFor('367')).params.slice(1, 3)).toEqual([chan, `${b}!*@*`]);
      await ca.waitFor('368');
      cb.send('JOIN #Not.Valid!');
      expect((await cb.waitFor('403')).params[1]).toBe('#Not.Valid!');
    } finally {
      await Promise.all([ca.close(), cb.close()]);
    }
  });
});

describe('MODE, KICK, TOPIC, LIST', () => {
  test('when a TOPIC, KICK or PART text has IRC colours, refused control characters or more than 300 characters, then it is cut at 300 without them, as TOPICLEN and KICKLEN say', async () => {
    const [ca, cb, a, b] = await two();
    const chan = `#${unique('f')}`;
    try {
      await ca.join(chan);
      expect((await ca.waitFor((m) => m.command === '005' && m.params.includes('KICKLEN=300'))).params).toContain('TOPICLEN=300');
      await cb.join(chan);
      ca.send(`TOPIC ${chan} :\x02bold\x02 \x0304red\x0f\x07${'t'.repeat(400)}`);
      const topic = `\x02bold\x02 \x0304red\x0f${'t'.repeat(300 - 14)}`;
      expect((await cb.waitFor((m) => m.command === 'TOPIC' && m.source.startsWith(`${a}!`))).params).toEqual([chan, topic]);
      const cfg = await rest<{ topic: string }>(stack().urls.channel, 'GET', `/channel/${chan.slice(1)}/config`);
      expect(cfg.body.topic).toBe(topic);
      ca.send(`KICK ${chan} ${b} :${'k'.repeat(350)}`);
      expect((await cb.waitFor('KICK')).params).toEqual([chan, b, 'k'.repeat(300)]);
      await ca.waitFor('KICK');
      cb.send(`JOIN ${chan}`);
      await ca.waitFor((m) => m.command === 'JOIN' && m.source.startsWith(`${b}!`));
      cb.send(`PART ${chan} :\x1dlater\x1d\tfolks`);
      expect((await ca.waitFor((m) => m.command === 'PART' && m.source.startsWith(`${b}!`))).params).toEqual([chan, '\x1dlater\x1dfolks']);
    } finally {
      await Promise.all([ca.close(), cb.close()]);
    }
  });

  test('when irssi syncs a channel (MODE #c, WHO #c, MODE #c b), then 324, 352/315 and 368 answer', async () => {
    const [ca, cb, a] = await two();
    const chan = `#${unique('s')}`;
    try {
      await ca.join(chan);
      ca.send(`MODE ${chan}`, `WHO ${chan}`, `MODE ${chan} b`);
      expect((await ca.waitFor('324')).params.slice(1)).toEqual([chan, '+nt']);
      const who = await ca.waitFor('352');
      expect(who.params[1]).toBe(chan);
      expect(who.params[5]).toBe(a);
      expect(who.params[6]).toBe('H@');
      await ca.waitFor('315');
      await ca.waitFor('368');
      cb.send(`MODE ${chan} +s`);
      expect((await cb.waitFor('482')).params[1]).toBe(chan);
      ca.send(`MODE ${chan} +x`);
      expect((await ca.waitFor('472')).params[1]).toBe('x');
    } finally {
      await Promise.all([ca.close(), cb.close()]);
    }
  });

  test('when the owner gives +o, kicks and locks the topic, then members see MODE/KICK and a member gets 482', async () => {
    const [ca, cb, a, b] = await two();
    const c = await newUser(stack(), 'c');
    const cc = await TestClient.connect(door().port, c);
    const chan = `#${unique('k')}`;
    try {
      await ca.join(chan);
      cb.send(`JOIN ${chan}`);
      cc.send(`JOIN ${chan}`);
      await cb.waitFor('366');
      await cc.waitFor('366');
      cc.send(`TOPIC ${chan} :mine`);
      expect((await cc.waitFor('482')).params[1]).toBe(chan);
      ca.send(`MODE ${chan} +o ${b}`);
      expect((await cc.waitFor((m) => m.command === 'MODE' && m.params[1] === '+o')).params[2]).toBe(b);
      cb.send(`KICK ${chan} ${c.pseudo} :out`);
      const kick = await cc.waitFor('KICK');
      expect(kick.params).toEqual([chan, c.pseudo, 'out']);
      expect(kick.source.startsWith(`${b}!`)).toBe(true);
      cc.send(`KICK ${chan} ${a}`);
      await cc.waitFor('482');
      cb.send(`KICK ${chan} ${c.pseudo}`);
      expect((await cb.waitFor('441')).params[1]).toBe(c.pseudo);
    } finally {
      await Promise.all([ca.close(), cb.close(), cc.close()]);
    }
  });

  test('when LIST is asked, then public channels are listed (321/322/323) and secret ones are not', async () => {
    const [ca, cb] = await two();
    const pub = `#${unique('pub')}`;
    const sec = `#${unique('sec')}`;
    try {
      ca.send(`JOIN ${pub},${sec}`);
      await ca.waitFor((m) => m.command === '366' && m.params[1] === sec);
      ca.send(`MODE ${sec} +s`);
      await ca.waitFor((m) => m.command === 'MODE' && m.params[0] === sec);
      cb.send('LIST');
      await cb.waitFor('321');
      await cb.waitFor('323');
      const listed = cb.lines.filter((l) => l.command === '322').map((l) => l.params[1]);
      expect(listed).toContain(pub);
      expect(listed).not.toContain(sec);
      // The owner's token lets them see it through REST, but LIST follows GET /channel: hidden too.
      const token = await restToken(stack(), { pseudo: ca.irc.user.nick, password: 'correct horse battery' });
      expect((await rest(stack().urls.channel, 'GET', `/channel/${sec.slice(1)}/config`, { token })).status).toBe(200);
    } finally {
      await Promise.all([ca.close(), cb.close()]);
    }
  });
});
