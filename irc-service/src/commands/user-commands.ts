import { fold, isValidNick, ircChannel, restChannel } from '../protocol/names';
import { N } from '../protocol/numerics';
import type { IrcConnection } from '../server/irc-connection';
import type { IrcServer } from '../server/irc-server';
import { bearer, targets, type CommandFamily } from './command';
import { isOperator, operatorHere } from './operators';

/** H (here) or G (gone) as WHO shows it, from the user's IRC connections. */
function hereOrGone(server: IrcServer, pseudo: string): string {
  return server.connectionsOf(pseudo).some((c) => c.away) ? 'G' : 'H';
}

function whoReply(server: IrcServer, conn: IrcConnection, channel: string, pseudo: string, op: boolean, ircOperator: boolean): void {
  const s = server.settings;
  conn.numeric(
    N.RPL_WHOREPLY,
    channel,
    pseudo,
    s.userHost,
    s.serverName,
    pseudo,
    hereOrGone(server, pseudo) + (ircOperator ? '*' : '') + (op ? '@' : ''),
    `0 ${pseudo}`,
  );
}

async function who(server: IrcServer, conn: IrcConnection, mask: string): Promise<void> {
  const channel = restChannel(mask);
  if (channel) {
    const r = await server.clients.channels.users(await bearer(server, conn), channel);
    // Roles of members known here: those with a session on this door (a WHO per member would cost one call each).
    if (r.status === 200)
      for (const u of r.data.users)
        whoReply(server, conn, ircChannel(channel), u.pseudo, u.role !== 'member', operatorHere(server, u.pseudo));
  } else if (isValidNick(mask)) {
    const r = await server.clients.users.whois(mask);
    if (r.status === 200) whoReply(server, conn, '*', r.data.pseudo, false, isOperator(r.data.roles));
  }
  conn.numeric(N.RPL_ENDOFWHO, mask, 'End of WHO list');
}

/** `@#tech` for a channel the user owns or moderates (clients show 319 with prefixes, as NAMES). */
async function withPrefixes(server: IrcServer, pseudo: string, channels: string[]): Promise<string[]> {
  const m = await server.clients.channels.memberships(pseudo).catch(() => undefined);
  const ops = new Set(m?.status === 200 ? m.data.channels.filter((c) => c.role !== 'member').map((c) => c.name) : []);
  return channels.map((c) => (ops.has(c) ? '@' : '') + ircChannel(c));
}

async function whois(server: IrcServer, conn: IrcConnection, nick: string): Promise<void> {
  const r = isValidNick(nick) ? await server.clients.users.whois(nick) : undefined;
  if (!r || r.status !== 200) {
    conn.numeric(N.ERR_NOSUCHNICK, nick, 'No such nick/channel');
    return conn.numeric(N.RPL_ENDOFWHOIS, nick, 'End of /WHOIS list');
  }
  const s = server.settings;
  const pseudo = r.data.pseudo;
  const local = server.connectionsOf(pseudo);
  conn.numeric(N.RPL_WHOISUSER, pseudo, pseudo, s.userHost, '*', local[0]?.realname || pseudo);
  // user-service lists public, not secret channels only: secret ones never show here.
  const channels = r.data.channels ?? [];
  if (channels.length) conn.numeric(N.RPL_WHOISCHANNELS, pseudo, (await withPrefixes(server, pseudo, channels)).join(' '));
  conn.numeric(N.RPL_WHOISSERVER, pseudo, s.serverName, local.length ? `${s.network} IRC` : `${s.network} (REST, ${r.data.status})`);
  if (isOperator(r.data.roles)) conn.numeric(N.RPL_WHOISOPERATOR, pseudo, 'is an IRC operator');
  const away = local.find((c) => c.away);
  if (away) conn.numeric(N.RPL_AWAY, pseudo, away.away as string);
  conn.numeric(N.RPL_WHOISACCOUNT, pseudo, pseudo, 'is logged in as');
  conn.numeric(N.RPL_ENDOFWHOIS, pseudo, 'End of /WHOIS list');
}

export const userCommands: CommandFamily = {
  WHO: { minParams: 1, run: (server, conn, msg) => who(server, conn, msg.params[0]) },
  WHOIS: {
    minParams: 1,
    // WHOIS <server> <nick> asks the same thing of this single server.
    run: (server, conn, msg) => whois(server, conn, targets(msg.params[msg.params.length > 1 ? 1 : 0])[0] ?? ''),
  },
  AWAY: {
    async run(server, conn, msg) {
      // AWAYLEN=64 characters: cut between characters, never inside an emoji's UTF-16 pair.
      const text = [...(msg.params[0] ?? '')].slice(0, 64).join('');
      conn.away = text || null;
      conn.numeric(
        text ? N.RPL_NOWAWAY : N.RPL_UNAWAY,
        text ? 'You have been marked as being away' : 'You are no longer marked as being away',
      );
      // Presence is user-service's: REST clients see the change too.
      await server.clients.users.setStatus(await bearer(server, conn), text ? 'away' : 'online').catch(() => undefined);
      const line = { source: server.mask(conn.name), command: 'AWAY', params: text ? [text] : [] };
      const told = new Set<IrcConnection>();
      for (const channel of conn.channels)
        for (const c of server.localMembers(channel))
          if (c !== conn && c.caps.has('away-notify') && !told.has(c)) {
            told.add(c);
            c.send(line);
          }
    },
  },
  ISON: {
    minParams: 1,
    async run(server, conn, msg) {
      const asked = msg.params
        .flatMap((p) => p.split(' '))
        .filter(isValidNick)
        .slice(0, 100);
      const online = new Set<string>();
      for (const n of asked) if (server.connectionsOf(n).length) online.add(server.connectionsOf(n)[0].name);
      const r = asked.length ? await server.clients.users.ison(asked) : undefined;
      for (const n of r?.status === 200 ? r.data.online : []) online.add(n);
      const folded = new Set([...online].map(fold));
      conn.numeric(N.RPL_ISON, asked.filter((n) => folded.has(fold(n))).join(' '));
    },
  },
  USERHOST: {
    minParams: 1,
    async run(server, conn, msg) {
      const out: string[] = [];
      for (const nick of msg.params.slice(0, 5)) {
        const local = server.connectionsOf(nick);
        let pseudo = local[0]?.name;
        if (!pseudo && isValidNick(nick)) {
          const r = await server.clients.users.whois(nick);
          if (r.status === 200) pseudo = r.data.pseudo;
        }
        if (pseudo) out.push(`${pseudo}=${local.some((c) => c.away) ? '-' : '+'}${pseudo}@${server.settings.userHost}`);
      }
      conn.numeric(N.RPL_USERHOST, out.join(' '));
    },
  },
};
