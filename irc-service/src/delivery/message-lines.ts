import type { Message } from '../clients/types';
import { MAX_LINE_BYTES, type Tags } from '../protocol/irc-line';
import { ircChannel } from '../protocol/names';
import type { OutgoingMessage } from '../server/irc-connection';

/** Cuts text into pieces of at most `maxBytes` UTF-8 bytes, never inside a character. */
export function splitBytes(text: string, maxBytes: number): string[] {
  const out: string[] = [];
  let cur = '';
  let curBytes = 0;
  for (const ch of text) {
    const b = Buffer.byteLength(ch);
    if (curBytes + b > maxBytes && cur) {
      out.push(cur);
      cur = '';
      curBytes = 0;
    }
    cur += ch;
    curBytes += b;
  }
  if (cur || !out.length) out.push(cur);
  return out;
}

/**
 * A stored message as IRC lines: one PRIVMSG per line of its text, long lines cut to fit 512
 * bytes. The first line carries the msgid (the message id), so echo and history match it.
 */
export function messageLines(
  mask: string,
  target: string,
  m: Pick<Message, 'id' | 'from' | 'text' | 'timestamp' | 'reply_to'>,
  extra: Tags = {},
): OutgoingMessage[] {
  const head = `:${mask} PRIVMSG ${target} :`;
  const room = MAX_LINE_BYTES - 2 - Buffer.byteLength(head);
  const pieces = m.text.split(/\r?\n/).flatMap((line) => splitBytes(line, room));
  return pieces.map((text, i) => {
    const tags: Tags = { time: m.timestamp, account: m.from, ...extra };
    if (i === 0) {
      tags.msgid = String(m.id);
      if (m.reply_to) tags['+draft/reply'] = String(m.reply_to);
    }
    return { tags, source: mask, command: 'PRIVMSG', params: [target, text] };
  });
}

export const channelTarget = (m: Pick<Message, 'channel' | 'to'>): string => (m.channel ? ircChannel(m.channel) : (m.to as string));
