import { MAX_REASON_CHARS, MAX_TOPIC_CHARS } from '@canaduck/contracts';

/** Name rules of structures.md section 3, seen from IRC. */
export const PSEUDO_RE = /^[A-Za-z][A-Za-z0-9_\-[\]\\^{}|]{0,29}$/;
const CHANNEL_RE = /^[a-z0-9_-]{1,50}$/;

export const NICKLEN = 30;
/** 50 characters of name plus the `#`. */
export const CHANNELLEN = 51;
/** channel-service's limits on topics and on kick, ban and part reasons. */
export const TOPICLEN = MAX_TOPIC_CHARS;
export const KICKLEN = MAX_REASON_CHARS;

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
