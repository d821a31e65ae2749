/**
 * IRC line parsing and serialising (RFC 1459 framing with IRCv3 message-tags).
 * Written here rather than taken from irc-framework: its parser lower-cases tag keys (they are
 * case-sensitive) and its serialiser drops an empty trailing parameter, both wrong for a server.
 */
export type Tags = Record<string, string>;

export interface IrcMessage {
  tags: Tags;
  /** `nick!user@host` or a server name; empty when the line has none. */
  source: string;
  /** Upper-cased command or a three-digit numeric. */
  command: string;
  params: string[];
}

/** Limits of modern.ircdocs.horse: 512 bytes for the line without tags, 8191 for the tags. */
export const MAX_LINE_BYTES = 512;
export const MAX_TAGS_BYTES = 8191;

export class LineError extends Error {
  constructor(
    readonly kind: 'input_too_long' | 'tags_too_long' | 'empty' | 'bad_command',
    message: string,
  ) {
    super(message);
  }
}

const TAG_UNESCAPE: Record<string, string> = { ':': ';', s: ' ', '\\': '\\', r: '\r', n: '\n' };

function unescapeTag(v: string): string {
  return v.replace(/\\(.?)/g, (_m, c: string) => (c === '' ? '' : (TAG_UNESCAPE[c] ?? c)));
}

function escapeTag(v: string): string {
  return v.replace(/[\\; \r\n]/g, (c) => ({ '\\': '\\\\', ';': '\\:', ' ': '\\s', '\r': '\\r', '\n': '\\n' })[c] as string);
}

/** Parses one line (without its CR LF). Throws LineError for what a server must refuse. */
export function parseLine(line: string): IrcMessage {
  let rest = line;
  const tags: Tags = {};
  if (rest.startsWith('@')) {
    const sp = rest.indexOf(' ');
    const raw = sp === -1 ? rest.slice(1) : rest.slice(1, sp);
    if (Buffer.byteLength(raw) + 2 > MAX_TAGS_BYTES) throw new LineError('tags_too_long', 'Input line too long (tags)');
    for (const part of raw.split(';')) {
      if (!part) continue;
      const eq = part.indexOf('=');
      const key = eq === -1 ? part : part.slice(0, eq);
      if (key) tags[key] = eq === -1 ? '' : unescapeTag(part.slice(eq + 1));
    }
    rest = sp === -1 ? '' : rest.slice(sp + 1);
  }
  rest = rest.replace(/^ +/, '');
  if (Buffer.byteLength(rest) + 2 > MAX_LINE_BYTES) throw new LineError('input_too_long', 'Input line too long');
  let source = '';
  if (rest.startsWith(':')) {
    const sp = rest.indexOf(' ');
    source = sp === -1 ? rest.slice(1) : rest.slice(1, sp);
    rest = sp === -1 ? '' : rest.slice(sp + 1).replace(/^ +/, '');
  }
  if (!rest) throw new LineError('empty', 'Empty line');
  const params: string[] = [];
  const sp = rest.indexOf(' ');
  const command = (sp === -1 ? rest : rest.slice(0, sp)).toUpperCase();
  if (!/^([A-Z]+|[0-9]{3})$/.test(command)) throw new LineError('bad_command', 'Malformed command');
  rest = sp === -1 ? '' : rest.slice(sp + 1);
  while (rest.length) {
    if (rest.startsWith(' ')) {
      rest = rest.slice(1);
      continue;
    }
    if (rest.startsWith(':')) {
      params.push(rest.slice(1));
      break;
    }
    const next = rest.indexOf(' ');
    params.push(next === -1 ? rest : rest.slice(0, next));
    rest = next === -1 ? '' : rest.slice(next + 1);
  }
  return { tags, source, command, params };
}

/** Serialises a message; the last parameter is made trailing when it needs to be. */
export function serialize(m: { tags?: Tags; source?: string; command: string; params?: string[] }): string {
  const parts: string[] = [];
  const tagEntries = Object.entries(m.tags ?? {});
  if (tagEntries.length) parts.push('@' + tagEntries.map(([k, v]) => (v === '' ? k : `${k}=${escapeTag(v)}`)).join(';'));
  if (m.source) parts.push(':' + m.source);
  parts.push(m.command);
  const params = m.params ?? [];
  params.forEach((p, i) => {
    // CR, LF and NUL would end or corrupt the line: a parameter never carries them.
    const clean = p.replace(/[\r\n\0]/g, ' ');
    const last = i === params.length - 1;
    parts.push(last && (clean === '' || clean.includes(' ') || clean.startsWith(':')) ? ':' + clean : clean);
  });
  return parts.join(' ');
}
