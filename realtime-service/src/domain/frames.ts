import type { StreamEvent } from '@canaduck/events';
import { encodeCursor, STREAMS, type Position } from './cursor';

/** One envelope as JSON, built from pieces so that the event's data is serialized once for all recipients. */
export function envelopeJson(type: string, cursor: string, at: string, dataJson: string): string {
  return `{"type":${JSON.stringify(type)},"cursor":"${cursor}","at":${JSON.stringify(at)},"data":${dataJson}}`;
}

/** An event's JSON pieces, made at most once however many connections receive it. */
export class EventFrame {
  private dataJson: string | undefined;
  private lastCursor = '';
  private lastJson = '';

  constructor(readonly event: StreamEvent) {}

  json(cursor: string): string {
    if (cursor !== this.lastCursor) {
      this.dataJson ??= JSON.stringify(this.event.data ?? null);
      this.lastJson = envelopeJson(this.event.type, cursor, this.event.at, this.dataJson);
      this.lastCursor = cursor;
    }
    return this.lastJson;
  }
}

/** The position after `e` for a connection at `pos` (`floor`: what every live connection has passed). */
export function positionAfter(pos: Position, e: StreamEvent, floor?: Position): Position {
  const p = { ...pos };
  if (floor) for (const s of STREAMS) p[s] = Math.max(p[s], floor[s]);
  p[e.service] = e.seq;
  return p;
}

export const cursorOf = (p: Position) => encodeCursor(p);
