import { newUser, RawClient, TestClient, useDoor } from './support';

const { stack, door } = useDoor();

describe('registration', () => {
  test('when an irc-framework client logs in with SASL PLAIN, then it gets 900/903, 001-005 with our ISUPPORT and the MOTD', async () => {
    const u = await newUser(stack());
    const c = await TestClient.connect(door().port, u, { nick: 'SomethingElse' });
    try {
      expect((await c.waitFor('900')).params[2]).toBe(u.pseudo);
      await c.waitFor('903');
      const welcome = await c.waitFor('001');
      expect(welcome.params[0]).toBe(u.pseudo); // the nick is the pseudo
      for (const n of ['002', '003', '004']) await c.waitFor(n);
      const isupport = c.lines.filter((l) => l.command === '005').flatMap((l) => l.params);
      for (const token of [
        'CHANTYPES=#',
        'PREFIX=(ov)@+',
        'CASEMAPPING=ascii',
        'CHANMODES=b,,,inrst',
        'NETWORK=CanaDuckTest',
        'NICKLEN=30',
        'CHANNELLEN=51',
        'TOPICLEN=300',
      ])
        expect(isupport).toContain(token);
      expect((await c.waitFor('372')).params[1]).toContain('hello from the test door');
      expect(c.irc.user.nick).toBe(u.pseudo);
      // Its user mode, as other networks tell it after the MOTD.
      const umode = await c.waitFor('MODE');
      expect([umode.source, ...umode.params]).toEqual([u.pseudo, u.pseudo, '+i']);
    } finally {
      await c.close();
    }
  });

  test('when CAP LS 302 is asked, then sasl=PLAIN and the IRCv3 capabilities are offered, and REQ is ACKed or NAKed', async () => {
    const r = await RawClient.connect(door().port);
    try {
      r.send('CAP LS 302');
      const ls = await r.waitFor('CAP');
      expect(ls.params[1]).toBe('LS');
      const caps = ls.params[2].split(' ');
      const offered =
        'sasl=PLAIN message-tags server-time echo-message batch account-tag away-notify multi-prefix draft/chathistory labeled-response';
      expect(caps).toEqual(expect.arrayContaining(offered.split(' ')));
      r.send('CAP REQ :server-time echo-message');
      expect((await r.waitFor((m) => m.command === 'CAP' && m.params[1] === 'ACK')).params[2]).toBe('server-time echo-message');
      r.send('CAP REQ :no-such-cap');
      expect((await r.waitFor((m) => m.command === 'CAP' && m.params[1] === 'NAK')).params[2]).toBe('no-such-cap');
    } finally {
      await r.close();
    }
  });

  test('when PASS <pseudo>:<password> is right, then the client is welcomed under its pseudo', async () => {
    const u = await newUser(stack());
    const r = await RawClient.connect(door().port);
    try {
      await r.register(u);
      expect((await r.waitFor('001')).params[0]).toBe(u.pseudo);
      r.send('PING :abc');
      expect((await r.waitFor('PONG')).params).toEqual(['irc.test', 'abc']);
    } finally {
      await r.close();
    }
  });

  test('when PASS is wrong, then 464 and ERROR, and the connection closes', async () => {
    const u = await newUser(stack());
    const r = await RawClient.connect(door().port);
    r.send(`PASS ${u.pseudo}:wrong password`, `NICK ${u.pseudo}`, 'USER x 0 * :x');
    await r.waitFor('464');
    expect((await r.waitFor('ERROR')).params[0]).toMatch(/Bad password/);
    await r.ended;
  });

  test('when a client registers without any password, then 464 and ERROR (guests are off)', async () => {
    const r = await RawClient.connect(door().port);
    r.send('NICK nobody', 'USER x 0 * :x');
    expect((await r.waitFor('464')).params[1]).toMatch(/SASL PLAIN or PASS/);
    await r.waitFor('ERROR');
    await r.ended;
  });

  test('when SASL credentials are wrong, then 904 and registration can still be attempted', async () => {
    const u = await newUser(stack());
    const r = await RawClient.connect(door().port);
    try {
      r.send('CAP LS 302', 'CAP REQ sasl', 'AUTHENTICATE PLAIN');
      await r.waitFor((m) => m.command === 'AUTHENTICATE' && m.params[0] === '+');
      r.send(`AUTHENTICATE ${Buffer.from(`\0${u.pseudo}\0nope nope`).toString('base64')}`);
      await r.waitFor('904');
      r.send('AUTHENTICATE SCRAM-SHA-256');
      expect((await r.waitFor('908')).params[1]).toBe('PLAIN');
      r.send('AUTHENTICATE PLAIN');
      await r.waitFor((m) => m.command === 'AUTHENTICATE', 5000, r.mark());
      r.send(
        `AUTHENTICATE ${Buffer.from(`${u.pseudo}\0${u.pseudo}\0${u.password}`).toString('base64')}`,
        'CAP END',
        `NICK ${u.pseudo}`,
        'USER a 0 * :a',
      );
      await r.waitFor('903');
      await r.waitFor('001');
    } finally {
      await r.close();
    }
  });

  test('when commands come before registration, then 451; a bad nick 432; USER without params 461', async () => {
    const r = await RawClient.connect(door().port);
    try {
      r.send('JOIN #x');
      expect((await r.waitFor('451')).params[0]).toBe('*');
      r.send('NICK 1bad');
      expect((await r.waitFor('432')).params[1]).toBe('1bad');
      r.send('USER onlyone');
      expect((await r.waitFor('461')).params[1]).toBe('USER');
    } finally {
      await r.close();
    }
  });

  test('when a registered client sends an unknown command or changes nick, then 421 / 432, and USER again 462', async () => {
    const u = await newUser(stack());
    const r = await RawClient.connect(door().port);
    try {
      await r.register(u);
      r.send('FROBNICATE a b');
      expect((await r.waitFor('421')).params[1]).toBe('FROBNICATE');
      r.send('NICK otherName');
      await r.waitFor('432');
      r.send('USER a 0 * :a');
      await r.waitFor('462');
    } finally {
      await r.close();
    }
  });
});
