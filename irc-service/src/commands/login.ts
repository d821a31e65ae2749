import type { IrcConnection, Session } from '../server/irc-connection';
import type { IrcServer } from '../server/irc-server';

export type LoginOutcome = 'ok' | 'invalid' | 'limited';

/** What user-service answers to a login or a guest's creation. */
interface Granted {
  token: string;
  expires_in: number;
  user: { pseudo: string; roles: string[] };
}

/** The session a login answer opens; the password stays to log in again when the token expires. */
export function sessionOf(server: IrcServer, granted: Granted, password: string, guest?: boolean): Session {
  return {
    pseudo: granted.user.pseudo,
    token: granted.token,
    expiresAt: server.now() + granted.expires_in * 1000,
    tokenAt: server.now(),
    password,
    roles: granted.user.roles,
    ...(guest ? { guest } : {}),
  };
}

/** Logs the connection in through user-service's POST /login (PASS and SASL PLAIN alike). */
export async function login(server: IrcServer, conn: IrcConnection, pseudo: string, password: string): Promise<LoginOutcome> {
  if (!server.loginLimiter.take(conn.socket.remoteAddress ?? 'unknown')) return 'limited';
  const r = await server.clients.users.login(pseudo, password);
  if (r.status !== 200) return 'invalid';
  conn.session = sessionOf(server, r.data, password);
  return 'ok';
}
