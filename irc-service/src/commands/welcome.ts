import { N } from '../protocol/numerics';
import type { IrcConnection } from '../server/irc-connection';
import type { IrcServer } from '../server/irc-server';
import { loginAsGuest } from './guests';
import { login } from './login';
import { announceOperator, isOperator } from './operators';
import { sendIsupport, sendLusers, sendMotd, VERSION } from './server-queries';

function welcome(server: IrcServer, conn: IrcConnection): void {
  const s = server.settings;
  conn.registered = true;
  conn.nick = conn.name;
  server.addNick(conn);
  conn.numeric(N.RPL_WELCOME, `Welcome to the ${s.network} IRC Network ${server.mask(conn.name)}`);
  conn.numeric(N.RPL_YOURHOST, `Your host is ${s.serverName}, running version ${VERSION}`);
  conn.numeric(N.RPL_CREATED, `This server was created ${s.createdAt.toISOString()}`);
  conn.numeric(N.RPL_MYINFO, s.serverName, VERSION, 'io', 'binorst', 'bo');
  sendIsupport(server, conn);
  sendLusers(server, conn);
  sendMotd(server, conn);
  // Every user is +i here (no address is shown): clients learn it as on other networks.
  conn.send({ source: conn.name, command: 'MODE', params: [conn.name, '+i'] });
  if (isOperator(conn.session?.roles)) announceOperator(server, conn, true);
}

/** Called after NICK, USER, CAP END and PASS: registers once everything is there. */
export async function tryRegister(server: IrcServer, conn: IrcConnection): Promise<void> {
  if (conn.registered || conn.capNegotiating || conn.nick === '*' || !conn.username || conn.isClosing) return;
  if (!conn.session && conn.pass !== undefined) {
    const colon = conn.pass.indexOf(':');
    const [pseudo, password] = colon > 0 ? [conn.pass.slice(0, colon), conn.pass.slice(colon + 1)] : [conn.nick, conn.pass];
    const outcome = await login(server, conn, pseudo, password);
    if (outcome !== 'ok') {
      conn.numeric(N.ERR_PASSWDMISMATCH, outcome === 'limited' ? 'Too many login attempts, try again later' : 'Password incorrect');
      return conn.close(outcome === 'limited' ? 'Too many login attempts' : 'Bad password');
    }
  }
  if (!conn.session && server.settings.guests) {
    if (!(await loginAsGuest(server, conn))) return;
  }
  if (!conn.session) {
    conn.numeric(N.ERR_PASSWDMISMATCH, 'Password required: log in with SASL PLAIN or PASS <pseudo>:<password>');
    return conn.close('Authentication required');
  }
  welcome(server, conn);
}
