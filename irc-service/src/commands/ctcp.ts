import { isValidNick, restChannel } from '../protocol/names';
import { N } from '../protocol/numerics';
import type { IrcConnection, OutgoingMessage } from '../server/irc-connection';
import type { IrcServer } from '../server/irc-server';

/**
 * The verb of a CTCP text (`\x01VERSION\x01` -> `VERSION`), or undefined for ordinary text. The
 * closing `\x01` is optional, as clients accept it missing.
 */
export function ctcpVerb(text: string): string | undefined {
  if (!text.startsWith('\x01')) return undefined;
  return text
    .slice(1)
    .split(/[\x01 ]/, 1)[0]
    .toUpperCase();
}

/**
 * CTCP other than ACTION (VERSION, PING, TIME, CLIENTINFO, DCC...) is an exchange between two IRC
 * clients, not chat: it goes live to the target's connections on this door, with the command it
 * came with, and is never stored nor shown to REST users. Stored, a NOTICE reply would come back
 * as a stored message (a PRIVMSG, a new request), and two clients would answer each other without
 * end. A target with no IRC connection here gets nothing (a PRIVMSG's sender is told so).
 */
export function relayCtcp(server: IrcServer, conn: IrcConnection, command: 'PRIVMSG' | 'NOTICE', target: string, text: string): void {
  const notice = command === 'NOTICE';
  const line: OutgoingMessage = {
    tags: { time: new Date(server.now()).toISOString(), account: conn.name },
    source: server.mask(conn.name),
    command,
    params: [target, text],
  };
  let to: IrcConnection[];
  if (target.startsWith('#')) {
    const channel = restChannel(target);
    // Only members speak in a channel (+n everywhere), CTCP included.
    if (!channel || !conn.channels.has(channel)) {
      if (!notice) conn.numeric(N.ERR_CANNOTSENDTOCHAN, target, 'Cannot send to channel');
      return;
    }
    to = server.localMembers(channel);
  } else {
    if (!isValidNick(target)) {
      if (!notice) conn.numeric(N.ERR_NOSUCHNICK, target, 'No such nick/channel');
      return;
    }
    to = server.connectionsOf(target);
    if (!to.length && !notice) conn.notice(`CTCP ${ctcpVerb(text)} to ${target} not sent: ${target} is not connected over IRC here`);
  }
  for (const c of to) if (c !== conn) c.send(line);
  if (conn.caps.has('echo-message')) conn.send(line);
}
