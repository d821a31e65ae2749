import type { IrcMessage } from '../protocol/irc-line';
import type { IrcConnection } from '../server/irc-connection';
import type { IrcServer } from '../server/irc-server';
import { tryRegister } from './welcome';

/** Capabilities the door offers (IRCv3). `sasl` is announced with its mechanism from 302 on. */
export const SUPPORTED_CAPS = [
  'message-tags',
  'server-time',
  'echo-message',
  'batch',
  'account-tag',
  'away-notify',
  'multi-prefix',
  'draft/chathistory',
  'labeled-response',
  'extended-join',
  'userhost-in-names',
  'invite-notify',
  'sasl',
];

function capList(conn: IrcConnection): string {
  return SUPPORTED_CAPS.filter((c) => c !== 'sasl' || !conn.registered)
    .map((c) => (c === 'sasl' && conn.capVersion >= 302 ? 'sasl=PLAIN' : c))
    .join(' ');
}

/** CAP LS / LIST / REQ / END (IRCv3 capability negotiation 3.2). */
export async function capCommand(server: IrcServer, conn: IrcConnection, msg: IrcMessage): Promise<void> {
  const sub = msg.params[0].toUpperCase();
  const reply = (...params: string[]) =>
    conn.send({ source: server.settings.serverName, command: 'CAP', params: [conn.registered ? conn.name : conn.nick, ...params] });
  switch (sub) {
    case 'LS': {
      if (!conn.registered) conn.capNegotiating = true;
      const v = Number(msg.params[1] ?? 0);
      conn.capVersion = Math.max(conn.capVersion, Number.isFinite(v) ? v : 0);
      return reply('LS', capList(conn));
    }
    case 'LIST':
      return reply('LIST', [...conn.caps].join(' '));
    case 'REQ': {
      if (!conn.registered) conn.capNegotiating = true;
      const asked = (msg.params[1] ?? '').split(' ').filter(Boolean);
      const ok = asked.every((c) => SUPPORTED_CAPS.includes(c.replace(/^-/, '')));
      if (!ok || !asked.length) return reply('NAK', msg.params[1] ?? '');
      for (const c of asked) {
        if (c.startsWith('-')) conn.caps.delete(c.slice(1));
        else conn.caps.add(c);
      }
      return reply('ACK', msg.params[1] as string);
    }
    case 'END':
      if (conn.registered) return;
      conn.capNegotiating = false;
      return tryRegister(server, conn);
    default:
      conn.numeric('410', sub, 'Invalid CAP command');
  }
}
