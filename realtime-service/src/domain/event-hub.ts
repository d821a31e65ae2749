import type { RevocationMap, StreamEvent } from '@canaduck/events';
import type { Logger } from '@canaduck/logging';
import type { StreamReader } from '../streams/stream-reader';
import type { AccessCache } from './access-cache';
import type { Audience, Route } from './audience';
import type { MembershipCache } from './membership-cache';
import type { CatchUp } from './catch-up';
import { Connection, type ConnectionUser, type Sink } from './connection';
import type { ConnectionRegistry } from './connection-registry';
import { decodeCursor, encodeCursor, STREAMS, type Position } from './cursor';
import type { CloseReason } from './envelope';
import { controlFrame, EventFrame, PositionsAfter } from './frames';

export interface EventHubDeps {
  reader: StreamReader;
  audience: Audience;
  access: AccessCache;
  registry: ConnectionRegistry;
  catchUp: CatchUp;
  revocation: RevocationMap;
  memberships: MembershipCache;
  sendBufferBytes: number;
  heartbeatMs: number;
  logger: Logger;
  now: () => number;
}

export interface OpenOptions {
  /** Resume after this cursor (SSE Last-Event-ID or ?after=); none: from now on. */
  after?: string;
  /** Channels to follow without joining them. */
  subscribe?: string[];
}

/**
 * The process's fan-out: one reader of each stream, every event matched against the
 * connections that may want it (indexed by user and channel), never one subscription per client.
 */
export class EventHub {
  private heartbeat: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(private readonly deps: EventHubDeps) {}

  start(): void {
    this.deps.reader.start((e) => this.fanOut(e));
    this.heartbeat = setInterval(() => this.beat(), this.deps.heartbeatMs);
    this.heartbeat.unref();
  }

  get connections(): number {
    return this.deps.registry.all.size;
  }

  /** Opens a stream for a user; resolves once it is live (caught up from its cursor). */
  async open(user: ConnectionUser, sink: Sink, o: OpenOptions = {}): Promise<Connection> {
    const { registry } = this.deps;
    const conn = new Connection(user, sink, this.deps.sendBufferBytes);
    conn.onClose = () => registry.remove(conn);
    registry.add(conn);
    for (const ch of await this.deps.memberships.of(user.pseudo)) registry.addInterest(conn, ch, 'member');
    for (const ch of o.subscribe ?? []) {
      // Refused (or channel-service unreachable after retries): the client is told, not left waiting.
      if (!(await this.subscribe(conn, ch))) {
        const data = { error: `#${ch} cannot be read`, code: 'channel_not_readable', channel: ch };
        conn.send(controlFrame('error', encodeCursor(conn.pos), new Date(this.deps.now()).toISOString(), data));
      }
    }
    const pos = o.after === undefined ? undefined : decodeCursor(o.after);
    if (o.after !== undefined && !pos) this.deps.catchUp.resync(conn, 'unknown_cursor');
    else {
      if (pos) conn.pos = pos;
      await this.deps.catchUp.run(conn, !pos);
    }
    if (this.stopping) conn.close('server_shutdown', this.cursorOf(conn));
    // Live from here: a first heartbeat gives the client a cursor at once, before any event.
    else this.heartbeatTo(conn, new Date(this.deps.now()).toISOString());
    return conn;
  }

  /** Follows a channel without joining it: only when the user may read it (same rules as GET /msg). */
  async subscribe(conn: Connection, channel: string): Promise<boolean> {
    const ch = channel.replace(/^#/, '').toLowerCase();
    const access = await this.deps.access.fetchSure(ch, conn.key, conn.admin);
    if (!access?.can_read) return false;
    this.deps.registry.addInterest(conn, ch, 'subscription');
    return true;
  }

  unsubscribe(conn: Connection, channel: string): void {
    this.deps.registry.removeInterest(conn, channel.replace(/^#/, '').toLowerCase(), 'subscription');
  }

  /** The cursor a connection would resume from now. */
  cursorOf(conn: Connection): string {
    return encodeCursor(conn.live ? floorOf(conn.pos, this.deps.reader.fannedOut) : conn.pos);
  }

  /** SIGTERM: every client is told to reconnect (elsewhere), with its cursor, then closed. */
  shutdown(): void {
    this.stopping = true;
    clearInterval(this.heartbeat);
    for (const conn of [...this.deps.registry.all]) this.closeWith(conn, 'server_shutdown', 'reconnect');
  }

  async stop(): Promise<void> {
    this.shutdown();
    await this.deps.reader.stop();
  }

  private async fanOut(e: StreamEvent): Promise<void> {
    const { audience, access } = this.deps;
    const route = audience.routeOf(e);
    if (!route) return;
    this.before(e, route);
    const candidates = this.candidates(route);
    if (candidates.length === 0) return this.after(e, route);
    if (route.kind === 'channel') {
      const asks = candidates.filter((c) => audience.needsAccess(c, e, route) && !access.peek(route.channel, c.key, c.admin));
      if (asks.length > 0) await Promise.all(asks.map((c) => access.fetch(route.channel, c.key, c.admin)));
    }
    const frame = new EventFrame(e);
    const positions = new PositionsAfter(e, this.deps.reader.fannedOut);
    for (const conn of candidates) {
      if (!conn.live || conn.closed || conn.pos[e.service] >= e.seq) continue;
      const entry = route.kind === 'channel' ? access.peek(route.channel, conn.key, conn.admin) : undefined;
      // No answer is not a "no": nothing is delivered, and the stream closes before this event so
      // that the client resumes it once channel-service answers again (never a silent gap).
      if (entry?.failed && audience.needsAccess(conn, e, route)) {
        this.closeWith(conn, 'access_unavailable');
        continue;
      }
      if (!audience.allows(conn, e, route, entry?.access)) continue;
      const next = positions.next(conn.pos);
      conn.pos = next.pos;
      conn.send(frame.frame(next.cursor));
    }
    this.after(e, route);
  }

  private candidates(route: Route): Connection[] {
    const { registry } = this.deps;
    if (route.kind === 'user') return [...registry.ofUser(route.pseudo)];
    if (route.kind === 'private') return [...new Set(route.pseudos.flatMap((p) => [...registry.ofUser(p)]))];
    const out = new Set(registry.ofChannel(route.channel));
    if (route.subject) for (const c of registry.ofUser(route.subject)) out.add(c);
    return [...out];
  }

  /** State changes that must hold before deciding who gets the event. */
  private before(e: StreamEvent, route: Route): void {
    // Only the channel's own events change who may read it (a message does not).
    if (route.kind !== 'channel' || !e.type.startsWith('channel.')) return;
    this.deps.access.forget(route.channel);
    if (route.subject) this.deps.memberships.forget(route.subject);
    if ((e.type === 'channel.member_joined' || e.type === 'channel.created') && route.subject) {
      for (const c of this.deps.registry.ofUser(route.subject)) this.deps.registry.addInterest(c, route.channel, 'member');
    }
  }

  /** State changes after the event went out: leaving stops the flow, a revocation closes the stream. */
  private after(e: StreamEvent, route: Route): void {
    const { registry } = this.deps;
    if (route.kind === 'channel') {
      if (LEAVING.has(e.type) && route.subject)
        for (const c of [...registry.ofUser(route.subject)]) registry.removeInterest(c, route.channel, 'both');
      if (e.type === 'channel.deleted')
        for (const c of [...registry.ofChannel(route.channel)]) registry.removeInterest(c, route.channel, 'both');
    }
    if (route.kind === 'user') {
      this.deps.revocation.apply([e]);
      for (const c of [...registry.ofUser(route.pseudo)]) {
        if (this.deps.revocation.isRevoked(c.user.pseudo, c.user.iat)) this.closeWith(c, 'token_revoked');
      }
    }
  }

  private beat(): void {
    const at = new Date(this.deps.now()).toISOString();
    const nowSeconds = this.deps.now() / 1000;
    for (const conn of [...this.deps.registry.all]) {
      if (nowSeconds >= conn.user.exp) {
        this.closeWith(conn, 'token_expired');
        continue;
      }
      this.heartbeatTo(conn, at);
    }
  }

  private heartbeatTo(conn: Connection, at: string): void {
    const cursor = this.cursorOf(conn);
    conn.send(controlFrame('heartbeat', cursor, at, {}));
  }

  private closeWith(conn: Connection, reason: CloseReason, frame: 'closing' | 'reconnect' = 'closing'): void {
    const cursor = this.cursorOf(conn);
    conn.send(controlFrame(frame, cursor, new Date(this.deps.now()).toISOString(), { reason }));
    conn.close(reason, cursor);
  }
}

const LEAVING = new Set(['channel.member_parted', 'channel.member_kicked', 'channel.member_banned']);

function floorOf(pos: Position, floor: Position): Position {
  const p = { ...pos };
  for (const s of STREAMS) p[s] = Math.max(p[s], floor[s]);
  return p;
}
