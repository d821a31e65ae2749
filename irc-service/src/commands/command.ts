import type { IrcMessage } from '../protocol/irc-line';
import type { IrcConnection } from '../server/irc-connection';
import type { IrcServer } from '../server/irc-server';
import { announceOperator, isOperator } from './operators';

/** One IRC command: what it needs, and its handler (the door's equivalent of a thin route). */
export interface Command {
  minParams?: number;
  /** Allowed before the connection has registered. */
  beforeRegistration?: boolean;
  run(server: IrcServer, conn: IrcConnection, msg: IrcMessage): Promise<void> | void;
}

export type CommandFamily = Record<string, Command>;

/**
 * The user's `Authorization` value for REST calls. A token close to expiry is renewed with the
 * credentials given at connection, so an IRC session may outlive one token.
 */
export async function bearer(server: IrcServer, conn: IrcConnection): Promise<string> {
  const s = conn.session;
  if (!s) throw new Error('bearer() before login');
  if (server.now() > s.expiresAt - 60_000) {
    const r = await server.clients.users.login(s.pseudo, s.password);
    if (r.status === 200) {
      const wasOperator = isOperator(s.roles);
      s.token = r.data.token;
      s.expiresAt = server.now() + r.data.expires_in * 1000;
      s.tokenAt = server.now();
      s.roles = r.data.user.roles;
      // Roles changed over REST (user.roles_changed forces this login): the user modes follow.
      if (isOperator(s.roles) !== wasOperator) announceOperator(server, conn, !wasOperator);
    } else if (r.status === 401) {
      conn.close('Your account can no longer log in');
    }
  }
  return `Bearer ${s.token}`;
}

/** The comma-separated targets of a parameter, without empty ones. */
export const targets = (param: string | undefined): string[] => (param ?? '').split(',').filter(Boolean);
