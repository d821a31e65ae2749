import { CHANNELLEN, KICKLEN, NICKLEN, TOPICLEN } from '../protocol/names';
import { N } from '../protocol/numerics';
import type { IrcConnection } from '../server/irc-connection';
import type { IrcServer } from '../server/irc-server';
import { loginAsGuest } from './guests';
import { login } from './login';
import { announceOperator, isOperator } from './operators';

const VERSION = 'canaduck-irc-1.0';

/** ISUPPORT tokens: our name rules and modes (structures.md sections 3 and 4). */
function isupport(server: IrcServer): string[] {
  return [
    'CHANTYPES=#',
    'PREFIX=(ov)@+',
    'CASEMAPPING=ascii',
    'CHANMODES=b,,,inrst',
    `NETWORK=${server.settings.network}`,
    `NICKLEN=${NICKLEN}`,
    `CHANNELLEN=${CHANNELLEN}`,
    `TOPICLEN=${TOPICLEN}`,
    `KICKLEN=${KICKLEN}`,
    'MODES=4',
    'TARGMAX=PRIVMSG:4,NOTICE:4,JOIN:10,PART:10,WHOIS:1',
    `CHATHISTORY=${server.settings.chathistoryMax}`,
    'MSGREFTYPES=msgid,timestamp',
    'AWAYLEN=64',
  ];
}

export function sendMotd(server: IrcServer, conn: IrcConnection): void {
  if (!server.settings.motd.length) return conn.numeric(N.ERR_NOMOTD, 'MOTD File is missing');
  conn.numeric(N.RPL_MOTDSTART, `- ${server.settings.serverName} Message of the day -`);
  for (const line of server.settings.motd) conn.numeric(N.RPL_MOTD, `- ${line}`);
  conn.numeric(N.RPL_ENDOFMOTD, 'End of /MOTD command.');
}

function welcome(server: IrcServer, conn: IrcConnection): void {
  const s = server.settings;
  conn.registered = true;
  conn.nick = conn.name;
  server.addNick(conn);
  conn.numeric(N.RPL_WELCOME, `Welcome to the ${s.network} IRC Network ${server.mask(conn.name)}`);
  conn.numeric(N.RPL_YOURHOST, `Your host is ${s.serverName}, running version ${VERSION}`);
  conn.numeric(N.RPL_CREATED, `This server was created ${s.createdAt.toISOString()}`);
  conn.numeric(N.RPL_MYINFO, s.serverName, VERSION, 'io', 'binorst', 'bo');
  const tokens = isupport(server);
  for (let i = 0; i < tokens.length; i += 12) conn.numeric(N.RPL_ISUPPORT, ...tokens.slice(i, i + 12), 'are supported by this server');
  sendMotd(server, conn);
  // Every user is +i here (no address is shown): clients learn it as on other networks.
  conn.send({ source: conn.name, command: 'MODE', params: [conn.name, '+i'] });
  if (isOperator(conn.session?.roles)) announceOperator(conn, true);
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
