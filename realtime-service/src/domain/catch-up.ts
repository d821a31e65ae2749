import type { StreamEvent } from '@canaduck/events';
import type { Logger } from '@canaduck/logging';
import type { StreamReader } from '../streams/stream-reader';
import type { AccessCache } from './access-cache';
import type { Audience } from './audience';
import type { Connection } from './connection';
import { encodeCursor, STREAMS } from './cursor';
import { controlFrame, EventFrame, positionAfter } from './frames';

export interface CatchUpDeps {
  reader: StreamReader;
  audience: Audience;
  access: AccessCache;
  resumeWaitMs: number;
  logger: Logger;
}

/**
 * Brings a connection from its cursor to the live flow: events still in the window come from
 * memory, older ones are read from the stream again, each filtered for this user; the switch to
 * live happens synchronously once nothing is left, so no event falls between the two.
 */
export class CatchUp {
  // A resume storm replays the same few events to thousands of clients: each event's JSON is made once.
  private readonly frames = new WeakMap<StreamEvent, EventFrame>();

  constructor(private readonly deps: CatchUpDeps) {}

  async run(conn: Connection, fresh: boolean): Promise<void> {
    const { reader } = this.deps;
    if (fresh) {
      // No cursor: from now on. "Now" is known once the streams have caught up after a start.
      for (const s of STREAMS) await reader.reach(s, 0, this.deps.resumeWaitMs);
      conn.pos = { ...reader.head };
      conn.live = true;
      return;
    }
    for (const s of STREAMS) {
      // A cursor ahead of this replica: it was given by a replica further on, wait for this one.
      if (!(await reader.reach(s, conn.pos[s], this.deps.resumeWaitMs))) return this.resync(conn, 'unknown_cursor');
    }
    for (;;) {
      if (conn.closed) return;
      let progressed = false;
      for (const s of STREAMS) {
        const w = reader.window(s);
        if (!w.covers(conn.pos[s])) {
          const until = (w.firstSeq ?? reader.head[s] + 1) - 1;
          const r = await reader.readRange(s, conn.pos[s], until, (events) => this.deliver(conn, events));
          if (r === 'resync') return this.resync(conn, 'beyond_retention');
          conn.pos[s] = Math.max(conn.pos[s], until);
          progressed = true;
          continue;
        }
        const events = w.after(conn.pos[s], 1000);
        if (events.length > 0) {
          await this.deliver(conn, events);
          progressed = true;
        }
      }
      if (!progressed) {
        conn.live = true;
        return;
      }
    }
  }

  /** Delivers what this connection may see of a batch, in order, and moves its cursor past it. */
  async deliver(conn: Connection, events: StreamEvent[]): Promise<void> {
    const { audience, access } = this.deps;
    const routes = events.map((e) => audience.routeOf(e));
    const channels = new Set<string>();
    events.forEach((e, i) => {
      const r = routes[i];
      if (r && r.kind === 'channel' && audience.needsAccess(conn, e, r) && !access.peek(r.channel, conn.key, conn.admin)?.access)
        channels.add(r.channel);
    });
    // A resume decides once for good (its events are not offered again): asked again a few times when unanswered.
    await Promise.all([...channels].map((ch) => access.fetchSure(ch, conn.key, conn.admin)));
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      if (conn.closed) return;
      if (e.seq <= conn.pos[e.service]) continue;
      const r = routes[i];
      const a =
        r && r.kind === 'channel'
          ? (access.peek(r.channel, conn.key, conn.admin)?.access ?? (await access.fetch(r.channel, conn.key, conn.admin)))
          : undefined;
      if (r?.kind === 'channel' && audience.needsAccess(conn, e, r) && access.failed(r.channel, conn.key, conn.admin)) {
        return this.unavailable(conn);
      }
      const next = positionAfter(conn.pos, e);
      conn.pos = next;
      if (r && audience.allows(conn, e, r, a)) {
        const cursor = encodeCursor(next);
        let frame = this.frames.get(e);
        if (!frame) this.frames.set(e, (frame = new EventFrame(e)));
        conn.send(frame.frame(cursor));
        if (!(await conn.drained())) return conn.close('slow_consumer', cursor);
      }
    }
  }

  /** channel-service did not answer: closed before the undecided event, the client resumes it later. */
  private unavailable(conn: Connection): void {
    const cursor = encodeCursor(conn.pos);
    conn.send(controlFrame('closing', cursor, new Date().toISOString(), { reason: 'access_unavailable' }));
    conn.close('access_unavailable', cursor);
  }

  /** One resync_required frame, then live from the head. */
  resync(conn: Connection, reason: 'unknown_cursor' | 'beyond_retention'): void {
    conn.pos = { ...this.deps.reader.head };
    const cursor = encodeCursor(conn.pos);
    conn.send(controlFrame('resync_required', cursor, new Date().toISOString(), { reason }));
    conn.live = true;
  }
}
