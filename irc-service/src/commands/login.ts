import type { IrcConnection } from '../server/irc-connection';
import type { IrcServer } from '../server/irc-server';

export type LoginOutcome = 'ok' | 'invalid' | 'limited';

/** Logs the connection in through user-service's POST /login (PASS and SASL PLAIN alike). */
export async function login(server: IrcServer, conn: IrcConnection, pseudo: string, password: string): Promise<LoginOutcome> {
  if (!server.loginLimiter.take(conn.socket.remoteAddress ?? 'unknown')) return 'limited';
  const r = await server.clients.users.login(pseudo, password);
  if (r.status !== 200) return 'invalid';
  conn.session = {
    pseudo: r.data.user.pseudo,
    token: r.data.token,
    expiresAt: server.now() + r.data.expires_in * 1000,
    tokenAt: server.now(),
    password,
  };
  return 'ok';
}
