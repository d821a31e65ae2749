// The rules of a channel's topic and of kick, ban and part reasons (structures.md 6.2), shared by
// channel-service, which refuses what breaks them, and the IRC door, which cuts and cleans a
// client's text to fit them as IRC servers do: one definition, so the two doors cannot drift.

/** The most characters (code points: an emoji is one) a topic may have. */
export const MAX_TOPIC_CHARS = 300;
/** The most characters a kick, ban or part reason may have. */
export const MAX_REASON_CHARS = 300;

// Control characters (newlines included) would break IRC-style one-line display, except the IRC
// formatting codes that IRC clients put in topics and reasons and render: bold 02, colour 03 and
// 04, reset 0F, monospace 11, reverse 16, italic 1D, strikethrough 1E, underline 1F.
const REFUSED_CONTROL = '[\\u0000\\u0001\\u0005-\\u000e\\u0010\\u0012-\\u0015\\u0017-\\u001c\\u007f]';
const REFUSED_ONE = new RegExp(REFUSED_CONTROL);
const REFUSED_ALL = new RegExp(REFUSED_CONTROL, 'g');

/** Characters as people count them (an emoji is one), not UTF-16 units. */
export const charCount = (s: string): number => [...s].length;

/** The text holds no refused control character (IRC formatting codes are allowed). */
export const isOneLine = (s: string): boolean => !REFUSED_ONE.test(s);

/** The text cut at `max` characters, with the refused control characters left out. */
export function toOneLine(s: string, max: number): string {
  return [...s.replace(REFUSED_ALL, '')].slice(0, max).join('');
}
