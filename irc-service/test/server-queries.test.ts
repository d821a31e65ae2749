import { newUser, TestClient, unique, useDoor } from './support';

const { stack, door } = useDoor();

describe('LUSERS, VERSION, TIME, WHOWAS', () => {
  test('when a client registers, then LUSERS replies come between 005 and the MOTD, counting this door users', async () => {
    const u = await newUser(stack(), 'l');
    const c = await TestClient.connect(door().port, u);
    try {
      const kinds = c.lines.map((m) => m.command).filter((k) => /^(005|25[1-5]|26[56]|375|422)$/.test(k));
      expect(kinds.indexOf('251')).toBeGreaterThan(kinds.lastIndexOf('005'));
      expect(kinds.indexOf('266')).toBeLessThan(Math.max(kinds.indexOf('375'), kinds.indexOf('422')));
      const client = await c.waitFor('251');
      const users = Number(/and (\d+) invisible/.exec(client.params[1])?.[1]);
      expect(users).toBeGreaterThanOrEqual(1);
      const chan = `#${unique('lu')}`;
      await c.join(chan);
      const from = c.mark();
      c.send('LUSERS');
      expect(Number((await c.waitFor('254', 5000, from)).params[1])).toBeGreaterThanOrEqual(1);
      expect((await c.waitFor('255', 5000, from)).params[1]).toMatch(/^I have \d+ clients and 0 servers$/);
      const local = await c.waitFor('265', 5000, from);
      expect(Number(local.params[2])).toBeGreaterThanOrEqual(Number(local.params[1]));
      expect(local.params[3]).toBe(`Current local users: ${local.params[1]}, Max: ${local.params[2]}`);
    } finally {
      await c.close();
    }
  });

  test('when a client asks VERSION and TIME, then 351 with the ISUPPORT tokens again, and 391 with the server time', async () => {
    const u = await newUser(stack(), 'v');
    const c = await TestClient.connect(door().port, u);
    try {
      const from = c.mark();
      c.send('VERSION', 'TIME');
      expect((await c.waitFor('351', 5000, from)).params[1]).toBe('canaduck-irc-1.0');
      expect((await c.waitFor('005', 5000, from)).params).toContain('CHANTYPES=#');
      const time = await c.waitFor('391', 5000, from);
      expect(Math.abs(Number(time.params[2]) * 1000 - Date.now())).toBeLessThan(60_000);
    } finally {
      await c.close();
    }
  });

  test('when a client asks WHOWAS of an account, of an unknown nick and of nobody, then 314/312/369, 406/369 and 431', async () => {
    const [u, other] = await Promise.all([newUser(stack(), 'w'), newUser(stack(), 'o')]);
    const c = await TestClient.connect(door().port, u);
    try {
      c.send(`WHOWAS ${other.pseudo}`);
      expect((await c.waitFor('314')).params.slice(1, 4)).toEqual([other.pseudo, other.pseudo, 'canaduck']);
      expect((await c.waitFor('312')).params[1]).toBe(other.pseudo);
      await c.waitFor('369');
      const from = c.mark();
      c.send('WHOWAS nosuchnick42', 'WHOWAS');
      expect((await c.waitFor('406', 5000, from)).params[1]).toBe('nosuchnick42');
      expect((await c.waitFor('369', 5000, from)).params[1]).toBe('nosuchnick42');
      await c.waitFor('431', 5000, from);
    } finally {
      await c.close();
    }
  });
});
