import { newUser, RawClient, rest, unique, useDoor } from './support';

const { stack, door } = useDoor({ guests: true });

async function waitUntil(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('guests (IRC_GUESTS=true)', () => {
  test('when a client connects without credentials, then it is a guest REST users see (whois), and it is gone after QUIT', async () => {
    const nick = unique('Guest');
    const chan = unique('gc');
    const owner = await newUser(stack(), 'own');
    const c = await RawClient.connect(door().port);
    try {
      c.send(`NICK ${nick}`, `USER ${nick} 0 * :a guest`);
      expect((await c.waitFor('001')).params[0]).toBe(nick);
      const whois = await rest<{ pseudo: string; status: string }>(stack().urls.user, 'GET', `/whois/${nick}`);
      expect(whois.status).toBe(200);
      expect(whois.body).toEqual(expect.objectContaining({ pseudo: nick, status: 'online' }));
      const token = (await rest<{ token: string }>(stack().urls.user, 'POST', '/login', { body: owner })).body.token;
      await rest(stack().urls.channel, 'POST', '/channel', { token, body: { name: chan } });
      c.send(`JOIN #${chan}`, `PRIVMSG #${chan} :hello as a guest`);
      await c.waitFor('366');
      await waitUntil(async () => {
        const page = await rest<{ messages: Array<{ from: string; text: string }> }>(stack().urls.message, 'GET', `/msg?channel=${chan}`, {
          token,
        });
        return page.body.messages.some((m) => m.from === nick && m.text === 'hello as a guest');
      });
      c.send('QUIT :bye');
      await c.ended;
      await waitUntil(async () => (await rest(stack().urls.user, 'GET', `/whois/${nick}`)).status === 404);
      await waitUntil(async () => {
        const users = await rest<{ users: Array<{ pseudo: string }> }>(stack().urls.channel, 'GET', `/channel/${chan}/users`);
        return !users.body.users.some((u) => u.pseudo === nick);
      });
    } finally {
      await c.close();
    }
  });

  test('when a guest asks for a registered pseudo or one another guest holds, then 433 and another nick registers', async () => {
    const registered = await newUser(stack(), 'reg');
    const nick = unique('Guest');
    const [first, second] = await Promise.all([RawClient.connect(door().port), RawClient.connect(door().port)]);
    try {
      first.send(`NICK ${registered.pseudo}`, `USER x 0 * :x`);
      expect((await first.waitFor('433')).params[1]).toBe(registered.pseudo);
      first.send(`NICK ${nick}`);
      await first.waitFor('001');
      second.send(`NICK ${nick}`, `USER y 0 * :y`);
      expect((await second.waitFor('433')).params[1]).toBe(nick);
      const other = unique('Guest');
      second.send(`NICK ${other}`);
      expect((await second.waitFor('001')).params[0]).toBe(other);
      // The registered account is untouched.
      expect((await rest(stack().urls.user, 'POST', '/login', { body: registered })).status).toBe(200);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  test('when a guest owns a channel it created and quits, then the channel goes with it', async () => {
    const nick = unique('Guest');
    const chan = unique('gown');
    const c = await RawClient.connect(door().port);
    c.send(`NICK ${nick}`, `USER ${nick} 0 * :a guest`, `JOIN #${chan}`);
    await c.waitFor('366');
    expect((await rest(stack().urls.channel, 'GET', `/channel/${chan}/config`)).status).toBe(200);
    c.send('QUIT');
    await c.ended;
    await waitUntil(async () => (await rest(stack().urls.channel, 'GET', `/channel/${chan}/config`)).status === 404);
    await waitUntil(async () => (await rest(stack().urls.user, 'GET', `/whois/${nick}`)).status === 404);
  });
});
