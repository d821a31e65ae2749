import { CHANNELLEN, isValidNick, KICKLEN, NICKLEN, TOPICLEN } from '../protocol/names';
import { N } from '../protocol/numerics';
import type { IrcConnection } from '../server/irc-connection';
import type { IrcServer } from '../server/irc-server';
import type { CommandFamily } from './command';

export const VERSION = 'canaduck-irc-1.0';

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

export function sendIsupport(server: IrcServer, conn: IrcConnection): void {
  const tokens = isupport(server);
  for (let i = 0; i < tokens.length; i += 12) conn.numeric(N.RPL_ISUPPORT, ...tokens.slice(i, i + 12), 'are supported by this server');
}

export function sendMotd(server: IrcServer, conn: IrcConnection): void {
  if (!server.settings.motd.length) return conn.numeric(N.ERR_NOMOTD, 'MOTD File is missing');
  conn.numeric(N.RPL_MOTDSTART, `- ${server.settings.serverName} Message of the day -`);
  for (const line of server.settings.motd) conn.numeric(N.RPL_MOTD, `- ${line}`);
  conn.numeric(N.RPL_ENDOFMOTD, 'End of /MOTD command.');
}

/**
 * This door's users (every IRC user is +i here, so all of them count as invisible) and the channels
 * with members on it. REST users and other doors' clients are not counted: they are not connected here.
 */
export function sendLusers(server: IrcServer, conn: IrcConnection): void {
  const { users, maxUsers, connections, operators, channels } = server.localCounts();
  conn.numeric(N.RPL_LUSERCLIENT, `There are 0 users and ${users} invisible on 1 servers`);
  if (operators) conn.numeric(N.RPL_LUSEROP, String(operators), 'operator(s) online');
  conn.numeric(N.RPL_LUSERCHANNELS, String(channels), 'channels formed');
  conn.numeric(N.RPL_LUSERME, `I have ${connections} clients and 0 servers`);
  conn.numeric(N.RPL_LOCALUSERS, String(users), String(maxUsers), `Current local users: ${users}, Max: ${maxUsers}`);
  conn.numeric(N.RPL_GLOBALUSERS, String(users), String(maxUsers), `Current global users: ${users}, Max: ${maxUsers}`);
}

/** WHOWAS answers from user-service's whois: an account that exists, with when it was last seen. */
async function whowas(server: IrcServer, conn: IrcConnection, nick: string): Promise<void> {
  const r = isValidNick(nick) ? await server.clients.users.whois(nick) : undefined;
  if (r?.status === 200) {
    const s = server.settings;
    conn.numeric(N.RPL_WHOWASUSER, r.data.pseudo, r.data.pseudo, s.userHost, '*', r.data.pseudo);
    conn.numeric(N.RPL_WHOISSERVER, r.data.pseudo, s.serverName, r.data.last_seen ? `last seen ${r.data.last_seen}` : 'never seen');
  } else conn.numeric(N.ERR_WASNOSUCHNICK, nick, 'There was no such nickname');
  conn.numeric(N.RPL_ENDOFWHOWAS, nick, 'End of WHOWAS');
}

/** Questions about the server: LUSERS, VERSION, TIME, MOTD, WHOWAS. */
export const serverQueries: CommandFamily = {
  LUSERS: { run: (server, conn) => sendLusers(server, conn) },
  VERSION: {
    run(server, conn) {
      conn.numeric(N.RPL_VERSION, VERSION, server.settings.serverName, 'CanaDuck IRC door');
      sendIsupport(server, conn);
    },
  },
  TIME: {
    run(server, conn) {
      const now = new Date(server.now());
      conn.numeric(N.RPL_TIME, server.settings.serverName, String(Math.floor(now.getTime() / 1000)), '0', now.toUTCString());
    },
  },
  MOTD: { run: (server, conn) => sendMotd(server, conn) },
  WHOWAS: {
    run(server, conn, msg) {
      if (!msg.params[0]) return conn.numeric(N.ERR_NONICKNAMEGIVEN, 'No nickname given');
      return whowas(server, conn, msg.params[0].split(',')[0]);
    },
  },
};
