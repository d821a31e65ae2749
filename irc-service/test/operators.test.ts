import { newUser, rest, restToken, TestClient, useDoor, twoConnected } from './support';

const { stack, door } = useDoor();

/** IRC operators: a registered admin is one (381, user mode +o, 313 in WHOIS, * in WHO), nobody else. */
describe('operators', () => {
  test('when an admin connects, then 381 and MODE +o follow the welcome, MODE shows +io, and WHOIS and WHO show an operator', async () => {
    const u = await newUser(stack(), 'u');
    const [op, cu] = await Promise.all([TestClient.connect(door().port, stack().admin), TestClient.connect(door().port, u)]);
    const admin = stack().admin.pseudo;
    try {
      expect((await op.waitFor('004')).params[3]).toBe('io');
      await op.waitFor('381');
      expect((await op.waitFor((m) => m.command === 'MODE' && m.params[1] === '+o')).params[0]).toBe(admin);
      op.send(`MODE ${admin}`);
      expect((await op.waitFor('221')).params[1]).toBe('+io');
      cu.send(`WHOIS ${admin}`);
      expect((await cu.waitFor('313')).params.slice(1)).toEqual([admin, 'is an IRC operator']);
      await cu.waitFor('318');
      cu.send(`WHO ${admin}`);
      expect((await cu.waitFor('352')).params[6]).toBe('H*');
      cu.send(`WHOIS ${u.pseudo}`);
      await cu.waitFor((m) => m.command === '318' && m.params[1] === u.pseudo);
      expect(cu.lines.filter((m) => m.command === '313')).toHaveLength(1);
      expect(cu.lines.some((m) => m.command === '381')).toBe(false);
    } finally {
      await Promise.all([op.close(), cu.close()]);
    }
  });

  test('when a user who is not an admin sends OPER, KILL or MODE +o, then 491, 481 and 481, and nobody is disconnected', async () => {
    const { a, b, ca, cb } = await twoConnected(stack(), door().port);
    try {
      ca.send(`OPER ${a.pseudo} ${a.password}`);
      await ca.waitFor('491');
      ca.send(`KILL ${b.pseudo} :bye`);
      await ca.waitFor('481');
      ca.send(`MODE ${a.pseudo} +o`);
      await ca.waitFor((m) => m.command === '481' && m.params[1].includes('admin role'));
      ca.send(`MODE ${a.pseudo} +x`);
      await ca.waitFor('501');
      ca.send('KILL');
      await ca.waitFor('461');
      cb.send(`PRIVMSG ${a.pseudo} :still here`);
      await ca.waitFor((m) => m.command === 'PRIVMSG' && m.params[1] === 'still here');
    } finally {
      await Promise.all([ca.close(), cb.close()]);
    }
  });

  test('when an operator KILLs a nick, then its IRC connections get ERROR Killed and close, and the account may connect again', async () => {
    const u = await newUser(stack(), 'k');
    const [op, cu] = await Promise.all([TestClient.connect(door().port, stack().admin), TestClient.connect(door().port, u)]);
    try {
      op.send(`OPER ${stack().admin.pseudo} anything`);
      await op.waitFor((m) => m.command === '381' && op.lines.filter((l) => l.command === '381').length === 2);
      op.send('KILL nosuchnick7 :x');
      expect((await op.waitFor('401')).params[1]).toBe('nosuchnick7');
      op.send(`KILL ${u.pseudo} :flooding`);
      const error = await cu.waitFor('ERROR');
      expect(error.params[0]).toBe(`Closing link: Killed (${stack().admin.pseudo} (flooding))`);
      expect((await op.waitFor((m) => m.command === 'NOTICE' && m.params[1].startsWith('Killed'))).params[1]).toBe(
        `Killed ${u.pseudo} (1 connection): flooding`,
      );
      const again = await TestClient.connect(door().port, u);
      await again.close();
    } finally {
      await Promise.all([op.close(), cu.close()]);
    }
  });

  test('when a user is made admin over REST, then their IRC session gets 381 and MODE +o; when the role goes, MODE -o', async () => {
    const u = await newUser(stack(), 'p');
    const cu = await TestClient.connect(door().port, u);
    try {
      const adminToken = await restToken(stack(), stack().admin);
      expect((await rest(stack().urls.user, 'POST', `/make-admin/${u.pseudo}`, { token: adminToken })).status).toBe(201);
      // The role change ends the session's token: its next command logs in again, with the new roles.
      await waitUntil(async () => {
        cu.send(`MODE ${u.pseudo}`);
        return cu.lines.some((m) => m.command === 'MODE' && m.params[1] === '+o');
      });
      expect(cu.lines.filter((m) => m.command === '381')).toHaveLength(1);
      expect((await rest(stack().urls.user, 'DELETE', `/user/roles/${u.pseudo}/admin`, { token: adminToken })).status).toBe(200);
      await waitUntil(async () => {
        cu.send(`MODE ${u.pseudo}`);
        return cu.lines.some((m) => m.command === 'MODE' && m.params[1] === '-o');
      });
      const from = cu.mark();
      cu.send(`MODE ${u.pseudo}`);
      expect((await cu.waitFor('221', 5000, from)).params[1]).toBe('+i');
    } finally {
      await cu.close();
    }
  });
});

/** Retries `check` every 200 ms for up to 10 s (the role change arrives through user-service's stream). */
async function waitUntil(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('condition not met within 10 s');
}
