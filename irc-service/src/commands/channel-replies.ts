import type { ChannelConfig, ErrorBody } from '../clients/types';
import { ircChannel } from '../protocol/names';
import { N } from '../protocol/numerics';
import type { IrcConnection } from '../server/irc-connection';
import type { IrcServer } from '../server/irc-server';
import { bearer } from './command';

const prefixOf = (role: string) => (role === 'owner' || role === 'moderator' ? '@' : '');

/** 332/333 or 331, from the channel's config. */
export function sendTopic(server: IrcServer, conn: IrcConnection, cfg: ChannelConfig, emptyReply = true): void {
  const name = ircChannel(cfg.name);
  if (!cfg.topic) {
    if (emptyReply) conn.numeric(N.RPL_NOTOPIC, name, 'No topic is set');
    return;
  }
  conn.numeric(N.RPL_TOPIC, name, cfg.topic);
  const stamp = server.topics.get(cfg.name);
  const at = stamp?.at ?? Date.parse(cfg.created_at);
  // The setter's full mask, as modern servers send it: irssi shows a bare nick as `nick []`.
  conn.numeric(N.RPL_TOPICWHOTIME, name, server.mask(stamp?.by ?? cfg.owner), String(Math.floor(at / 1000)));
}

/** 353 (as many lines as needed) and 366: the channel's members as channel-service lists them. */
export async function sendNames(server: IrcServer, conn: IrcConnection, channel: string, cfg?: ChannelConfig): Promise<void> {
  const name = ircChannel(channel);
  const auth = await bearer(server, conn);
  const r = await server.clients.channels.users(auth, channel);
  if (r.status === 200) {
    const symbol = cfg?.modes.includes('s') ? '@' : cfg?.modes.includes('i') ? '*' : '=';
    // userhost-in-names: nick!user@host, the mask every user has here.
    const full = conn.caps.has('userhost-in-names');
    const entries = r.data.users.map((u) => prefixOf(u.role) + (full ? server.mask(u.pseudo) : u.pseudo));
    // 353 lines stay well under 512 bytes: 300 bytes of names each.
    let line: string[] = [];
    let bytes = 0;
    for (const e of entries) {
      if (bytes + e.length + 1 > 300 && line.length) {
        conn.numeric(N.RPL_NAMREPLY, symbol, name, line.join(' '));
        line = [];
        bytes = 0;
      }
      line.push(e);
      bytes += e.length + 1;
    }
    if (line.length) conn.numeric(N.RPL_NAMREPLY, symbol, name, line.join(' '));
  }
  conn.numeric(N.RPL_ENDOFNAMES, name, 'End of /NAMES list');
}

/**
 * The numeric for a channel-service or message-service refusal. Each service's rule is the REST
 * rule; only the way it is told changes.
 */
export function refusal(conn: IrcConnection, command: string, target: string, r: { status: number; data: ErrorBody }): void {
  const code = r.data.code ?? '';
  const text = r.data.error ?? 'refused';
  if (code === 'banned') return conn.numeric(N.ERR_BANNEDFROMCHAN, target, 'Cannot join channel (+b)');
  if (code === 'invite_required' || code === 'channel_private')
    return conn.numeric(N.ERR_INVITEONLYCHAN, target, 'Cannot join channel (+i)');
  if (code === 'user_not_found') return conn.numeric(N.ERR_NOSUCHNICK, target, 'No such nick/channel');
  if (code === 'not_member' && command === 'TOPIC') return conn.numeric(N.ERR_NOTONCHANNEL, target, "You're not on that channel");
  if (code === 'channel_post_forbidden' || code === 'channel_read_forbidden') return conn.numeric(N.ERR_CANNOTSENDTOCHAN, target, text);
  if (r.status === 404) return conn.numeric(N.ERR_NOSUCHCHANNEL, target, 'No such channel');
  if (r.status === 403) return conn.numeric(N.ERR_CHANOPRIVSNEEDED, target, "You're not channel operator");
  conn.notice(`${command} ${target}: ${text}`);
}
