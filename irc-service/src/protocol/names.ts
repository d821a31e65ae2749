/** Name rules of structures.md section 3, seen from IRC. */
export const PSEUDO_RE = /^[A-Za-z][A-Za-z0-9_\-[\]\\^{}|]{0,29}$/;
const CHANNEL_RE = /^[a-z0-9_-]{1,50}$/;

export const NICKLEN = 30;
/** 50 characters of name plus the `#`. */
export const CHANNELLEN = 51;
export const TOPICLEN = 300;
/** channel-service's limit on kick, ban and part reasons. */
export const KICKLEN = 300;

/** CASEMAPPING=ascii: pseudos compare lower-cased, `[]\^` are not folded. */
export const fold = (name: string): string => name.toLowerCase();

export const isValidNick = (nick: string): boolean => PSEUDO_RE.test(nick);

/** `#Tech` -> `tech`; null for what is not one of our channel names (no `#`, bad characters). */
export function restChannel(ircName: string): string | null {
  if (!ircName.startsWith('#')) return null;
  const name = ircName.slice(1).toLowerCase();
  return CHANNEL_RE.test(name) ? name : null;
}

export const ircChannel = (restName: string): string => `#${restName}`;

// What channel-service refuses in a topic or reason: control characters other than the IRC
// formatting codes (bold, colours, reset, monospace, reverse, italic, strikethrough, underline).
const NOT_ONE_LINE = /[\u0000\u0001\u0005-\u000e\u0010\u0012-\u0015\u0017-\u001c\u007f]/g;

/**
 * A topic or reason from a client as channel-service takes it: cut at `max` characters (an emoji
 * is one), as IRC servers cut at TOPICLEN/KICKLEN, with the characters it refuses left out.
 */
export function oneLine(text: string, max: number): string {
  return [...text.replace(NOT_ONE_LINE, '')].slice(0, max).join('');
}
