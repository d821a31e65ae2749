import { newUser, RawClient, rest, restToken, type TestUser, useDoor } from './support';

const { stack, door } = useDoor();

/** An IRC client logged in with PASS, as a terminal client would. */
async function connected(u: TestUser): Promise<RawClient> {
  const c = await RawClient.connect(door().port);
  await c.register(u);
  return c;
}

/** The ERROR line the door sends before closing, and the close itself. */
async function closedWith(c: RawClient): Promise<string> {
  const error = await c.waitFor('ERROR', 10_000);
  await c.ended;
  return error.params[0];
}

describe('sessions of a revoked account', () => {
  test('when the account is deleted over REST, then its IRC client gets ERROR "Account deleted", is closed, and ISON no longer shows it', async () => {
    const u = await newUser(stack(), 'del');
    const [c, watcher] = await Promise.all([connected(u), connected(await newUser(stack(), 'w'))]);
    try {
      const deleted = await rest(stack().urls.user, 'DELETE', `/user/${u.pseudo}`, { token: await restToken(stack(), u) });
      expect(deleted.status).toBe(200);
      expect(await closedWith(c)).toBe('Closing link: Account deleted');
      watcher.send(`ISON ${u.pseudo}`);
      expect((await watcher.waitFor('303')).params.slice(1)).toEqual(['']);
    } finally {
      await Promise.all([c.close(), watcher.close()]);
    }
  });

  test('when the password changes over REST, then the session that logged in before is closed, and one that logs in with the new password stays', async () => {
    const u = await newUser(stack(), 'pw');
    const before = await connected(u);
    let after: RawClient | undefined;
    try {
      const changed = await rest(stack().urls.user, 'PATCH', `/user/${u.pseudo}/password`, {
        token: await restToken(stack(), u),
        body: { old_password: u.password, new_password: 'a brand new secret' },
      });
      expect(changed.status).toBe(200);
      expect(await closedWith(before)).toBe('Closing link: Password changed: log in again');
      after = await connected({ pseudo: u.pseudo, password: 'a brand new secret' });
      after.send('PING :still-here');
      expect((await after.waitFor('PONG')).params).toContain('still-here');
      expect(after.lines.some((m) => m.command === 'ERROR')).toBe(false);
    } finally {
      await Promise.all([before.close(), after?.close()]);
    }
  });

  test('when the user logs out everywhere over REST, then the IRC session is closed too', async () => {
    const u = await newUser(stack(), 'out');
    const c = await connected(u);
    try {
      const out = await rest(stack().urls.user, 'POST', '/logout', { token: await restToken(stack(), u) });
      expect(out.status).toBe(200);
      expect(await closedWith(c)).toBe('Closing link: Logged out everywhere: log in again');
    } finally {
      await c.close();
    }
  });
});
