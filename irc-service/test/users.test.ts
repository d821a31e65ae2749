import { rest, unique, useDoor, twoConnected } from './support';

const { stack, door } = useDoor();

describe('WHOIS, WHO, AWAY, ISON, USERHOST', () => {
  test('when WHOIS asks a user, then 311/319/312/330/318 answer, secret channels hidden; unknown is 401', async () => {
    const { b, ca, cb } = await twoConnected(stack(), door().port);
    const pub = `#${unique('w')}`;
    const sec = `#${unique('ws')}`;
    try {
      cb.send(`JOIN ${pub},${sec}`);
      await cb.waitFor((m) => m.command === '366' && m.params[1] === sec);
      cb.send(`MODE ${sec} +s`);
      await cb.waitFor((m) => m.command === 'MODE' && m.params[0] === sec);
      ca.send(`WHOIS ${b.pseudo}`);
      expect((await ca.waitFor('311')).params.slice(1, 4)).toEqual([b.pseudo, b.pseudo, 'canaduck']);
      // b created it: its owner, shown with the operator prefix as in NAMES.
      expect((await ca.waitFor('319')).params[2]).toBe(`@${pub}`);
      await ca.waitFor('312');
      expect((await ca.waitFor('330')).params.slice(1, 3)).toEqual([b.pseudo, b.pseudo]);
      await ca.waitFor('318');
      ca.send('WHOIS nobodyatall9');
      expect((await ca.waitFor('401')).params[1]).toBe('nobodyatall9');
      ca.send(`WHO ${b.pseudo}`);
      expect((await ca.waitFor('352')).params[5]).toBe(b.pseudo);
      await ca.waitFor('315');
    } finally {
      await Promise.all([ca.close(), cb.close()]);
    }
  });

  test('when a user goes AWAY, then 306, channel peers with away-notify see AWAY, PRIVMSG senders get 301, REST sees "away"; back: 305', async () => {
    const { b, ca, cb } = await twoConnected(stack(), door().port);
    const chan = `#${unique('aw')}`;
    try {
      await ca.join(chan);
      await cb.join(chan);
      cb.send('AWAY :lunch');
      await cb.waitFor('306');
      expect((await ca.waitFor('AWAY')).params).toEqual(['lunch']);
      ca.send(`PRIVMSG ${b.pseudo} :you there?`);
      expect((await ca.waitFor('301')).params.slice(1)).toEqual([b.pseudo, 'lunch']);
      const whois = await rest<{ status: string }>(stack().urls.user, 'GET', `/whois/${b.pseudo}`);
      expect(whois.body.status).toBe('away');
      cb.send(`AWAY :${'🦆'.repeat(70)}`);
      // AWAYLEN=64 counts characters: 64 ducks, none cut in half.
      expect((await ca.waitFor((m) => m.command === 'AWAY' && m.params[0] !== 'lunch')).params).toEqual(['🦆'.repeat(64)]);
      cb.send('AWAY');
      await cb.waitFor('305');
    } finally {
      await Promise.all([ca.close(), cb.close()]);
    }
  });

  test('when ISON and USERHOST ask, then connected users are listed and unknown ones are not', async () => {
    const { b, ca, cb } = await twoConnected(stack(), door().port);
    try {
      ca.send(`ISON ${b.pseudo} ghostuser77`);
      expect((await ca.waitFor('303')).params[1]).toBe(b.pseudo);
      ca.send(`USERHOST ${b.pseudo} ghostuser77`);
      expect((await ca.waitFor('302')).params[1]).toBe(`${b.pseudo}=+${b.pseudo}@canaduck`);
    } finally {
      await Promise.all([ca.close(), cb.close()]);
    }
  });
});
