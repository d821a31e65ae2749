import type { IrcMessage } from '../src/protocol/irc-line';
import { newUser, rest, restToken, TestClient, unique, type Stack, type TestUser, useDoor } from './support';

const { stack, door } = useDoor();

interface RestUser extends TestUser {
  token: string;
}

async function restUser(prefix: string): Promise<RestUser> {
  const u = await newUser(stack(), prefix);
  return { ...u, token: await restToken(stack(), u) };
}

const call = (s: Stack, u: RestUser, method: string, path: string, body?: unknown) =>
  rest(s.urls.channel, method, path, { token: u.token, body }).then((r) => {
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r;
  });

/**
 * The channel stream is in order: once a sentinel topic is seen, every earlier change has been
 * delivered, and so has any line the door would have sent twice.
 */
async function settle(c: TestClient, owner: RestUser, channel: string): Promise<void> {
  const mark = unique('sentinel');
  await call(stack(), owner, 'POST', `/channel/${channel}/topic`, { topic: mark });
  await c.waitFor((m) => m.command === 'TOPIC' && m.params[1] === mark);
}

const count = (c: TestClient, from: number, pred: (m: IrcMessage) => boolean) => c.lines.slice(from).filter(pred).length;
const by = (pseudo: string) => (m: IrcMessage) => m.source.startsWith(`${pseudo}!`);

/** A channel `owner` created over REST, watched by one IRC member from `from` on. */
async function watchedChannel(owner: RestUser, prefix: string) {
  const u = await newUser(stack(), 'irc');
  const channel = unique(prefix);
  const chan = `#${channel}`;
  await call(stack(), owner, 'POST', '/channel', { name: channel });
  const c = await TestClient.connect(door().port, u);
  await c.join(chan).catch(async (err) => {
    await c.close();
    throw err;
  });
  return { channel, chan, c, member: u, from: c.mark() };
}

describe('changes made over REST', () => {
  test('when REST users join, part (with a message), are kicked, banned and unbanned, then IRC members see JOIN, PART, KICK, MODE +b/-b exactly once each', async () => {
    const [owner, marcel] = await Promise.all([restUser('own'), restUser('mar')]);
    const { channel, chan, c, from } = await watchedChannel(owner, 'rest');
    try {
      await call(stack(), marcel, 'POST', `/channel/${channel}/join`);
      await c.waitFor((m) => m.command === 'JOIN' && by(marcel.pseudo)(m));
      await call(stack(), marcel, 'POST', `/channel/${channel}/part`, { reason: 'back after lunch' });
      expect((await c.waitFor((m) => m.command === 'PART' && by(marcel.pseudo)(m))).params).toEqual([chan, 'back after lunch']);
      await call(stack(), marcel, 'POST', `/channel/${channel}/join`);
      await call(stack(), owner, 'POST', `/channel/${channel}/kick`, { pseudo: marcel.pseudo, reason: 'calm down' });
      const kick = await c.waitFor('KICK');
      expect(kick.params).toEqual([chan, marcel.pseudo, 'calm down']);
      expect(by(owner.pseudo)(kick)).toBe(true);
      await call(stack(), marcel, 'POST', `/channel/${channel}/join`);
      await call(stack(), owner, 'POST', `/channel/${channel}/ban`, { pseudo: marcel.pseudo, reason: 'spam' });
      expect((await c.waitFor((m) => m.command === 'MODE' && m.params[1] === '+b')).params).toEqual([chan, '+b', `${marcel.pseudo}!*@*`]);
      await c.waitFor((m) => m.command === 'KICK' && m.params[2] === 'spam');
      await call(stack(), owner, 'DELETE', `/channel/${channel}/ban/${marcel.pseudo}`);
      expect((await c.waitFor((m) => m.command === 'MODE' && m.params[1] === '-b')).params).toEqual([chan, '-b', `${marcel.pseudo}!*@*`]);
      await settle(c, owner, channel);
      expect(count(c, from, (m) => m.command === 'JOIN' && by(marcel.pseudo)(m))).toBe(3);
      expect(count(c, from, (m) => m.command === 'PART')).toBe(1);
      expect(count(c, from, (m) => m.command === 'KICK')).toBe(2);
      expect(count(c, from, (m) => m.command === 'MODE' && m.params[1] === '+b')).toBe(1);
      expect(count(c, from, (m) => m.command === 'MODE' && m.params[1] === '-b')).toBe(1);
    } finally {
      await c.close();
    }
  });

  test('when the owner changes topic, modes and moderators over REST, then IRC members see TOPIC and MODE lines exactly once each', async () => {
    const owner = await restUser('own');
    const { channel, chan, c, member: u, from } = await watchedChannel(owner, 'conf');
    try {
      await call(stack(), owner, 'POST', `/channel/${channel}/topic`, { topic: 'rest topic' });
      const topic = await c.waitFor((m) => m.command === 'TOPIC' && m.params[1] === 'rest topic');
      expect(by(owner.pseudo)(topic)).toBe(true);
      await call(stack(), owner, 'POST', `/channel/${channel}/mode`, { mode: '+r' });
      expect((await c.waitFor((m) => m.command === 'MODE' && m.params[1] === '+r')).params).toEqual([chan, '+r']);
      await call(stack(), owner, 'POST', `/channel/${channel}/mode`, { mode: '-r' });
      await c.waitFor((m) => m.command === 'MODE' && m.params[1] === '-r');
      await call(stack(), owner, 'POST', `/channel/${channel}/moderators`, { pseudo: u.pseudo });
      expect((await c.waitFor((m) => m.command === 'MODE' && m.params[1] === '+o')).params).toEqual([chan, '+o', u.pseudo]);
      await call(stack(), owner, 'DELETE', `/channel/${channel}/moderators/${u.pseudo}`);
      await c.waitFor((m) => m.command === 'MODE' && m.params[1] === '-o');
      await settle(c, owner, channel);
      expect(count(c, from, (m) => m.command === 'TOPIC' && m.params[1] === 'rest topic')).toBe(1);
      for (const mode of ['+r', '-r', '+o', '-o']) expect(count(c, from, (m) => m.command === 'MODE' && m.params[1] === mode)).toBe(1);
    } finally {
      await c.close();
    }
  });

  test('when an IRC user joins a channel over REST, then its IRC client joins it too; when it is deleted, then members leave it', async () => {
    const [owner, u] = await Promise.all([restUser('own'), restUser('irc')]);
    const channel = unique('always');
    await call(stack(), owner, 'POST', '/channel', { name: channel });
    const c = await TestClient.connect(door().port, u);
    try {
      await call(stack(), u, 'POST', `/channel/${channel}/join`);
      expect((await c.waitFor((m) => m.command === 'JOIN' && by(u.pseudo)(m))).params[0]).toBe(`#${channel}`);
      await call(stack(), owner, 'DELETE', `/channel/${channel}`);
      expect((await c.waitFor('PART')).params).toEqual([`#${channel}`, 'Channel deleted']);
    } finally {
      await c.close();
    }
  });
});

describe('an account deleted over REST', () => {
  test('when the owner deletes their account, then IRC members see the owner PART (Account deleted) and the oldest member made operator (+o)', async () => {
    const owner = await restUser('own');
    const { channel, chan, c, member: u } = await watchedChannel(owner, 'gone');
    try {
      const deleted = await rest(stack().urls.user, 'DELETE', `/user/${owner.pseudo}`, { token: owner.token });
      expect(deleted.status).toBe(200);
      expect((await c.waitFor((m) => m.command === 'PART' && by(owner.pseudo)(m), 10_000)).params).toEqual([chan, 'Account deleted']);
      expect((await c.waitFor((m) => m.command === 'MODE' && m.params[1] === '+o')).params).toEqual([chan, '+o', u.pseudo]);
      const names = await rest<{ owner: string }>(stack().urls.channel, 'GET', `/channel/${channel}`, {
        token: await restToken(stack(), u),
      });
      expect(names.body.owner).toBe(u.pseudo);
    } finally {
      await c.close();
    }
  });
});

describe('changes made over IRC', () => {
  test('when IRC clients join, part, kick, ban, set topics and modes, then every member sees each line exactly once', async () => {
    const [a, b] = await Promise.all([restUser('a'), restUser('b')]);
    const channel = unique('irc');
    const chan = `#${channel}`;
    const [ca, cb] = await Promise.all([TestClient.connect(door().port, a), TestClient.connect(door().port, b)]);
    try {
      await ca.join(chan);
      const fromA = ca.mark();
      await cb.join(chan);
      const fromB = cb.mark();
      ca.send(`TOPIC ${chan} :irc topic`);
      await cb.waitFor((m) => m.command === 'TOPIC' && m.params[1] === 'irc topic');
      ca.send(`MODE ${chan} +r`, `MODE ${chan} +o ${b.pseudo}`, `MODE ${chan} -o ${b.pseudo}`);
      await cb.waitFor((m) => m.command === 'MODE' && m.params[1] === '-o');
      cb.send(`PART ${chan} :see you`);
      expect((await ca.waitFor((m) => m.command === 'PART')).params).toEqual([chan, 'see you']);
      cb.send(`JOIN ${chan}`);
      await cb.waitFor((m) => m.command === '366', 5000, fromB + 1);
      ca.send(`KICK ${chan} ${b.pseudo} :out`);
      await cb.waitFor('KICK');
      cb.send(`JOIN ${chan}`);
      await ca.waitFor(
        (m) => m.command === 'JOIN' && m.source.startsWith(`${b.pseudo}!`) && ca.lines.filter((x) => x.command === 'KICK').length > 0,
      );
      ca.send(`MODE ${chan} +b ${b.pseudo}`);
      await cb.waitFor((m) => m.command === 'KICK' && m.params[2] === 'Banned');
      await settle(ca, a, channel);
      for (const [c, from] of [
        [ca, fromA],
        [cb, fromB],
      ] as const) {
        expect(count(c, from, (m) => m.command === 'TOPIC' && m.params[1] === 'irc topic')).toBe(1);
        for (const mode of ['+r', '+o', '-o', '+b']) expect(count(c, from, (m) => m.command === 'MODE' && m.params[1] === mode)).toBe(1);
        expect(count(c, from, (m) => m.command === 'PART')).toBe(1);
        expect(count(c, from, (m) => m.command === 'KICK')).toBe(2);
      }
      // b saw its own two re-joins once each; a saw b's three joins once each.
      expect(count(cb, fromB, (m) => m.command === 'JOIN')).toBe(2);
      expect(count(ca, fromA, (m) => m.command === 'JOIN' && m.source.startsWith(`${b.pseudo}!`))).toBe(3);
    } finally {
      await Promise.all([ca.close(), cb.close()]);
    }
  });
});

describe('privacy', () => {
  test('when a secret invite-only channel changes, then only its members see it; an invited user gets INVITE', async () => {
    const [owner, member, outsider, guest] = await Promise.all([restUser('own'), restUser('mem'), restUser('out'), restUser('inv')]);
    const channel = unique('sec');
    await call(stack(), owner, 'POST', '/channel', { name: channel });
    await call(stack(), owner, 'POST', `/channel/${channel}/mode`, { mode: '+si' });
    await call(stack(), owner, 'POST', `/channel/${channel}/invite`, { pseudo: member.pseudo });
    const [cm, co, cg] = await Promise.all([
      TestClient.connect(door().port, member),
      TestClient.connect(door().port, outsider),
      TestClient.connect(door().port, guest),
    ]);
    try {
      await cm.join(`#${channel}`);
      await call(stack(), owner, 'POST', `/channel/${channel}/invite`, { pseudo: guest.pseudo });
      expect((await cg.waitFor('INVITE')).params).toEqual([guest.pseudo, `#${channel}`]);
      await call(stack(), owner, 'POST', `/channel/${channel}/topic`, { topic: 'hush' });
      await settle(cm, owner, channel);
      const leaked = (c: TestClient) => c.lines.filter((m) => m.params.some((p) => p.includes(channel)) && m.command !== 'INVITE');
      expect(leaked(co)).toEqual([]);
      expect(leaked(cg)).toEqual([]);
    } finally {
      await Promise.all([cm.close(), co.close(), cg.close()]);
    }
  });
});
