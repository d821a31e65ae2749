import type { OutgoingMessage } from './irc-connection';

/** Labels longer than this are ignored (IRCv3 labeled-response: at most 64 bytes). */
export const MAX_LABEL_BYTES = 64;

/** The replies of one labeled command, collected while it runs (an AsyncLocalStorage store). */
export interface LabeledContext {
  /** The connection that sent the command: lines to others, or from the event stream, are not replies. */
  conn: object;
  lines: OutgoingMessage[];
}

export interface LabelOptions {
  /** The client negotiated `batch`: several replies go in one `labeled-response` batch. */
  batch: boolean;
  batchId: () => string;
  source: string;
}

/**
 * IRCv3 labeled-response: no reply becomes `ACK`, one reply carries the label, one batch carries
 * it on its opening line, several replies go in a `labeled-response` batch whose opening line
 * carries it (replies already in a batch, e.g. chathistory's, nest inside). Without `batch`,
 * every reply carries the label.
 */
export function labeledResponse(label: string, lines: OutgoingMessage[], o: LabelOptions): OutgoingMessage[] {
  const tagged = (m: OutgoingMessage, extra: Record<string, string>): OutgoingMessage => ({ ...m, tags: { ...m.tags, ...extra } });
  if (!lines.length) return [{ tags: { label }, source: o.source, command: 'ACK', params: [] }];
  if (lines.length === 1 || isOneBatch(lines)) return [tagged(lines[0], { label }), ...lines.slice(1)];
  if (!o.batch) return lines.map((m) => tagged(m, { label }));
  const id = o.batchId();
  return [
    { tags: { label }, source: o.source, command: 'BATCH', params: [`+${id}`, 'labeled-response'] },
    ...lines.map((m) => (m.tags?.batch ? m : tagged(m, { batch: id }))),
    { source: o.source, command: 'BATCH', params: [`-${id}`] },
  ];
}

/** `BATCH +x ...`, lines of batch x only, `BATCH -x`. */
function isOneBatch(lines: OutgoingMessage[]): boolean {
  const first = lines[0];
  const last = lines[lines.length - 1];
  if (first.command !== 'BATCH' || !first.params[0]?.startsWith('+')) return false;
  const id = first.params[0].slice(1);
  return last.command === 'BATCH' && last.params[0] === `-${id}` && lines.slice(1, -1).every((m) => m.tags?.batch === id);
}
