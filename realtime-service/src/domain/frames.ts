import type { StreamEvent } from '@canaduck/events';
import { encodeCursor, STREAMS, type Position } from './cursor';

/** One envelope as JSON, built from pieces so that the event's data is serialized once for all recipients. */
export function envelopeJson(type: string, cursor: string, at: string, dataJson: string): string {
  return `{"type":${JSON.stringify(type)},"cursor":"${cursor}","at":${JSON.stringify(at)},"data":${dataJson}}`;
}

/**
 * One envelope ready to go out. Its wire forms (UTF-8 bytes for WebSocket, the SSE text) are made
 * on first use and shared by every connection given the same frame: a fan-out to a thousand
 * sockets encodes the event once, not once per socket.
 */
export class OutFrame {
  private utf8: Buffer | undefined;
  private sseText: string | undefined;

  constructor(
    readonly type: string,
    readonly cursor: string,
    readonly json: string,
  ) {}

  get bytes(): Buffer {
    return (this.utf8 ??= Buffer.from(this.json, 'utf8'));
  }

  get sse(): string {
    return (this.sseText ??= `id: ${this.cursor}\nevent: ${this.type}\ndata: ${this.json}\n\n`);
  }
}

/** A frame the service writes itself (heartbeat, error, closing...); `data` is serialized here. */
export function controlFrame(type: string, cursor: string, at: string, data: unknown): OutFrame {
  return new OutFrame(type, cursor, envelopeJson(type, cursor, at, JSON.stringify(data)));
}

/** An event's frames, made at most once per cursor however many connections receive it. */
export class EventFrame {
  private dataJson: string | undefined;
  private last: OutFrame | undefined;

  constructor(readonly event: StreamEvent) {}

  frame(cursor: string): OutFrame {
    if (this.last?.cursor !== cursor) {
      this.dataJson ??= JSON.stringify(this.event.data ?? null);
      this.last = new OutFrame(this.event.type, cursor, envelopeJson(this.event.type, cursor, this.event.at, this.dataJson));
    }
    return this.last;
  }
}

/** The position after `e` for a connection at `pos` (`floor`: what every live connection has passed). */
export function positionAfter(pos: Position, e: StreamEvent, floor?: Position): Position {
  const p = { ...pos };
  if (floor) for (const s of STREAMS) p[s] = Math.max(p[s], floor[s]);
  p[e.service] = e.seq;
  return p;
}

/**
 * positionAfter for many connections of one event: connections at the same place share one
 * position object and one encoded cursor (a live position is replaced, never changed in place).
 */
export class PositionsAfter {
  private lastFrom: Position | undefined;
  private lastPos: Position | undefined;
  private lastCursor = '';

  constructor(
    private readonly e: StreamEvent,
    private readonly floor: Position,
  ) {}

  next(pos: Position): { pos: Position; cursor: string } {
    const from = this.lastFrom;
    if (from && from.user === pos.user && from.channel === pos.channel && from.message === pos.message) {
      return { pos: this.lastPos!, cursor: this.lastCursor };
    }
    const p = positionAfter(pos, this.e, this.floor);
    if (!this.lastPos || !samePosition(p, this.lastPos)) {
      this.lastPos = p;
      this.lastCursor = encodeCursor(p);
    }
    this.lastFrom = pos;
    return { pos: this.lastPos, cursor: this.lastCursor };
  }
}

const samePosition = (a: Position, b: Position) => a.user === b.user && a.channel === b.channel && a.message === b.message;
