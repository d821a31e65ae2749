import type { Answer, Message } from '../clients/types';
import { messageLines } from '../delivery/message-lines';
import { ircChannel, isValidNick, restChannel } from '../protocol/names';
import { N } from '../protocol/numerics';
import type { IrcMessage } from '../protocol/irc-line';
import type { IrcConnection } from '../server/irc-connection';
import type { IrcServer } from '../server/irc-server';
import { bearer, targets, type CommandFamily } from './command';
import { refusal } from './channel-replies';
import { ctcpVerb, relayCtcp } from './ctcp';

/**
 * PRIVMSG and NOTICE post through message-service like a REST client. Nothing is sent to IRC
 * here: the message comes back from the event stream (to the sender too, with echo-message; a
 * labeled command's echo excepted, see postEchoed).
 */
async function post(server: IrcServer, conn: IrcConnection, msg: IrcMessage, notice: boolean): Promise<void> {
  // NOTICE never gets an error reply (RFC 2812 3.3.2), so that bots cannot loop on each other.
  const say = notice ? () => undefined : (code: string, ...p: string[]) => conn.numeric(code, ...p);
  if (!msg.params[0]) return say(N.ERR_NORECIPIENT, `No recipient given (${msg.command})`);
  const text = msg.params[1];
  if (!text) return say(N.ERR_NOTEXTTOSEND, 'No text to send');
  // `+draft/reply=<msgid>` (message-tags): the message is a reply, as REST's reply_to.
  const replyTo = msgid(msg.tags['+draft/reply']);
  // ACTION (/me) is chat and is stored as sent; any other CTCP is relayed live only.
  const verb = ctcpVerb(text);
  const liveOnly = verb !== undefined && verb !== 'ACTION';
  for (const target of targets(msg.params[0]).slice(0, 4)) {
    if (liveOnly) {
      relayCtcp(server, conn, notice ? 'NOTICE' : 'PRIVMSG', target, text);
      continue;
    }
    if (target.startsWith('#')) {
      const channel = restChannel(target);
      if (!channel) {
        say(N.ERR_NOSUCHCHANNEL, target, 'No such channel');
        continue;
      }
      const r = await postEchoed(server, conn, { channel }, text, replyTo);
      if (r.status === 201 || notice) continue;
      if (r.status === 403 || r.status === 422) say(N.ERR_CANNOTSENDTOCHAN, target, r.data.error ?? 'Cannot send to channel');
      else refusal(conn, msg.command, target, r);
      continue;
    }
    if (!isValidNick(target)) {
      say(N.ERR_NOSUCHNICK, target, 'No such nick/channel');
      continue;
    }
    const r = await postEchoed(server, conn, { to: target }, text, replyTo);
    if (r.status === 201) {
      const away = server.connectionsOf(target).find((c) => c.away);
      if (away && !notice) say(N.RPL_AWAY, away.name, away.away as string);
    } else if (r.status === 404) say(N.ERR_NOSUCHNICK, target, 'No such nick/channel');
    else if (!notice) conn.notice(`${msg.command} ${target}: ${r.data.error ?? 'refused'}`);
  }
}

/**
 * Posts over REST. The echo (echo-message) comes from the event stream, except for a labeled
 * command (labeled-response): its echo is its labeled reply, sent here from the answer, and the
 * stream's copy is skipped; when the stream's copy came first, it was the echo (then ACK).
 */
async function postEchoed(
  server: IrcServer,
  conn: IrcConnection,
  target: { channel: string } | { to: string },
  text: string,
  replyTo: number | undefined,
): Promise<Answer<Message>> {
  const auth = await bearer(server, conn);
  const labeled = server.replies.getStore()?.conn === conn && conn.caps.has('echo-message');
  if (!labeled) return server.clients.messages.post(auth, target, text, replyTo);
  const e = conn.echoes;
  e.labeledPosts++;
  let r: Answer<Message>;
  try {
    r = await server.clients.messages.post(auth, target, text, replyTo);
  } finally {
    e.labeledPosts--;
  }
  if (r.status === 201 && !e.echoedMeanwhile.delete(r.data.id)) {
    // Bounded: an echo the stream never brings must not pile up.
    if (e.skipEcho.size > 1000) e.skipEcho.clear();
    e.skipEcho.add(r.data.id);
    const shown = r.data.channel ? ircChannel(r.data.channel) : (r.data.to ?? '');
    for (const line of messageLines(server.mask(r.data.from), shown, r.data)) conn.send(line);
  }
  if (!e.labeledPosts) e.echoedMeanwhile.clear();
  return r;
}

const msgid = (v: string | undefined): number | undefined => (v && /^[1-9][0-9]{0,15}$/.test(v) ? Number(v) : undefined);

/**
 * TAGMSG with `+draft/react=<emoji>` (or `+draft/unreact`) and `+draft/reply=<msgid>` reacts to
 * that message over REST. Other TAGMSGs (typing...) are not relayed: REST has no place for them.
 * Refusals are FAIL lines (a TAGMSG has no numeric of its own).
 */
async function tagmsg(server: IrcServer, conn: IrcConnection, msg: IrcMessage): Promise<void> {
  const id = msgid(msg.tags['+draft/reply']);
  const react = msg.tags['+draft/react'];
  const unreact = msg.tags['+draft/unreact'];
  const emoji = react ?? unreact;
  if (!emoji) return;
  if (!id)
    return conn.send({
      source: server.settings.serverName,
      command: 'FAIL',
      params: ['TAGMSG', 'INVALID_PARAMS', 'a reaction needs +draft/reply=<msgid>'],
    });
  const auth = await bearer(server, conn);
  const r = react ? await server.clients.messages.react(auth, id, emoji) : await server.clients.messages.unreact(auth, id, emoji);
  if (r.status >= 300)
    conn.send({
      source: server.settings.serverName,
      command: 'FAIL',
      params: ['TAGMSG', (r.data.code ?? 'refused').toUpperCase(), r.data.error ?? 'refused'],
    });
}

export const messageCommands: CommandFamily = {
  PRIVMSG: { run: (server, conn, msg) => post(server, conn, msg, false) },
  NOTICE: { run: (server, conn, msg) => post(server, conn, msg, true) },
  TAGMSG: { minParams: 1, run: tagmsg },
};
