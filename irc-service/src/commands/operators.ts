import { isValidNick } from '../protocol/names';
import { N } from '../protocol/numerics';
import type { IrcConnection } from '../server/irc-connection';
import type { IrcServer } from '../server/irc-server';
import type { CommandFamily } from './command';

/**
 * A registered admin is an IRC operator: the status follows the account's `admin` role (there is
 * no separate O-line password), so a promotion or demotion over REST changes it on IRC too.
 */
export const isOperator = (roles: readonly string[] | undefined): boolean => roles?.includes('admin') ?? false;

/** Whether a nick has an operator's session on this door (what WHO knows of channel members). */
export const operatorHere = (server: IrcServer, pseudo: string): boolean =>
  server.connectionsOf(pseudo).some((c) => isOperator(c.session?.roles));

/** Tells the client it is an operator now (381 and user mode +o), or is no longer one (-o). */
export function announceOperator(server: IrcServer, conn: IrcConnection, operator: boolean): void {
  server.setOperator(conn, operator);
  if (operator) conn.numeric(N.RPL_YOUREOPER, 'You are now an IRC operator');
  conn.send({ source: conn.name, command: 'MODE', params: [conn.name, operator ? '+o' : '-o'] });
}

export const operatorCommands: CommandFamily = {
  OPER: {
    minParams: 2,
    run(_server, conn) {
      if (isOperator(conn.session?.roles)) return conn.numeric(N.RPL_YOUREOPER, 'You are now an IRC operator');
      conn.numeric(N.ERR_NOOPERHOST, 'No O-lines for your host: only CanaDuck admins are IRC operators');
    },
  },
  /**
   * Disconnects a nick's IRC connections on this door. It is not a ban and deletes nothing: the
   * account stays a member of its channels, and may connect again (REST has no such action).
   */
  KILL: {
    minParams: 2,
    run(server, conn, msg) {
      if (!isOperator(conn.session?.roles)) return conn.numeric(N.ERR_NOPRIVILEGES, "Permission Denied- You're not an IRC operator");
      const [nick, comment] = msg.params;
      const victims = isValidNick(nick) ? server.connectionsOf(nick) : [];
      if (!victims.length) return conn.numeric(N.ERR_NOSUCHNICK, nick, 'No such nick/channel');
      const reason = `Killed (${conn.name} (${comment}))`;
      for (const v of victims) v.close(reason);
      // The victim's QUIT is not shown (it stays a member): the operator is told instead.
      conn.notice(`Killed ${victims[0].name} (${victims.length} connection${victims.length > 1 ? 's' : ''}): ${comment}`);
      server.logger.info({ by: conn.name, pseudo: victims[0].name, connections: victims.length, comment }, 'KILL');
    },
  },
};
