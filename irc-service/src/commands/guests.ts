import crypto from 'node:crypto';
import { N } from '../protocol/numerics';
import type { IrcConnection } from '../server/irc-connection';
import type { IrcServer } from '../server/irc-server';
import { sessionOf } from './login';

/**
 * IRC_GUESTS: a client without credentials becomes a guest, a temporary user-service account
 * under its nick (REST users see it like any other: whois works). A registered pseudo, or one
 * another guest holds, is refused with 433 and the client may pick another nick.
 */
export async function loginAsGuest(server: IrcServer, conn: IrcConnection): Promise<boolean> {
  const nick = conn.nick;
  // A random password that only this connection knows: the token is renewed through /login.
  const password = crypto.randomBytes(24).toString('base64url');
  const r = await server.clients.users.createGuest(nick, password, server.guestLease);
  if (r.status === 409) {
    conn.numeric(N.ERR_NICKNAMEINUSE, nick, 'Nickname is already in use');
    conn.nick = '*';
    return false;
  }
  if (r.status >= 500) {
    conn.close('Guest accounts are unavailable, try again later');
    return false;
  }
  if (r.status !== 201) {
    conn.numeric(N.ERR_ERRONEUSNICKNAME, nick, r.data.error ?? 'Erroneous nickname');
    conn.nick = '*';
    return false;
  }
  conn.session = sessionOf(server, r.data, password, true);
  return true;
}

/**
 * After QUIT (or any close) the guest is gone: it leaves its channels (a channel it owns, that
 * REST would not let it leave, goes with it), then its account is deleted.
 */
export async function removeGuest(server: IrcServer, conn: IrcConnection, channels: string[]): Promise<void> {
  const s = conn.session;
  if (!s?.guest) return;
  await leaveAndDelete(server, s.pseudo, `Bearer ${s.token}`, channels);
}

/** The guest leaves `channels` as on QUIT, with its own token, then its account is deleted. */
export async function leaveAndDelete(server: IrcServer, pseudo: string, auth: string, channels: string[]): Promise<void> {
  try {
    for (const channel of channels) {
      const r = await server.clients.channels.part(auth, channel);
      if (r.status === 409 && r.data.code === 'owner_cannot_part') await server.clients.channels.remove(auth, channel);
    }
    const d = await server.clients.users.deleteGuest(pseudo);
    if (d.status !== 200 && d.status !== 404) server.logger.warn({ pseudo, status: d.status }, 'guest not deleted');
  } catch (err) {
    server.logger.warn({ pseudo, err: (err as Error).message }, 'guest not deleted');
  }
}
