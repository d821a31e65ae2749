import type { EventSubscription, EventTransport, SourceService, StreamEvent } from '@canaduck/events';
import type { Logger } from '@canaduck/logging';
import { STREAMS, zeroPosition, type Position } from '../domain/cursor';
import { EventWindow } from './event-window';

const NOT_SERVED_GRACE_MS = 2000;

export interface StreamReaderDeps {
  transport: EventTransport;
  windowEvents: number;
  /** A stream counts as in sync while its last answer is this recent (a long poll's wait plus a margin). */
  syncWindowMs: number;
  logger: Logger;
  now: () => number;
}

interface StreamState {
  window: EventWindow;
  caughtUp: boolean;
  lastSyncAt: number | undefined;
  waiters: Set<() => void>;
}

/**
 * Reads each source stream ONCE for the whole process, from the start of its retention (the
 * window and the revocations are rebuilt from it), keeps the last events of each in memory and
 * hands every event to `onEvent`, one at a time in seq order. `head` is the last seq received,
 * `fannedOut` the last one whose fan-out finished.
 */
export class StreamReader {
  readonly head: Position = zeroPosition();
  readonly fannedOut: Position = zeroPosition();
  private readonly streams: Record<SourceService, StreamState>;
  private subscriptions: EventSubscription[] = [];
  private startedAt = 0;

  constructor(private readonly deps: StreamReaderDeps) {
    const state = (): StreamState => ({
      window: new EventWindow(deps.windowEvents),
      caughtUp: false,
      lastSyncAt: undefined,
      waiters: new Set(),
    });
    this.streams = { user: state(), channel: state(), message: state() };
  }

  start(onEvent: (e: StreamEvent) => Promise<void>): void {
    this.startedAt = this.deps.now();
    for (const service of STREAMS) {
      const st = this.streams[service];
      this.subscriptions.push(
        this.deps.transport.subscribe({
          service,
          after: 0,
          handler: async (events) => {
            for (const e of events) {
              st.window.push(e);
              this.head[service] = e.seq;
              this.wake(st);
              await onEvent(e);
              this.fannedOut[service] = e.seq;
            }
          },
          // Older than retention at start: the window begins where the stream does.
          onResync: () => undefined,
          onSync: ({ at, caughtUp }) => {
            st.lastSyncAt = at;
            if (caughtUp && !st.caughtUp) {
              st.caughtUp = true;
              this.deps.logger.info({ service, head: this.head[service] }, 'event stream caught up: live');
            }
            this.wake(st);
          },
        }),
      );
    }
  }

  async stop(): Promise<void> {
    const subs = this.subscriptions;
    this.subscriptions = [];
    await Promise.all(subs.map((s) => s.stop()));
    for (const st of Object.values(this.streams)) this.wake(st);
  }

  window(service: SourceService): EventWindow {
    return this.streams[service].window;
  }

  /** The stream answered recently (its events then drop cached answers at once). */
  inSync(service: SourceService): boolean {
    const at = this.streams[service].lastSyncAt;
    return at !== undefined && this.deps.now() - at <= this.deps.syncWindowMs;
  }

  status(): Record<SourceService, { head: number; caught_up: boolean; last_sync_at: string | null }> {
    const one = (s: SourceService) => {
      const st = this.streams[s];
      return { head: this.head[s], caught_up: st.caughtUp, last_sync_at: st.lastSyncAt ? new Date(st.lastSyncAt).toISOString() : null };
    };
    return { user: one('user'), channel: one('channel'), message: one('message') };
  }

  /** Waits until the stream has caught up at least once and `head >= seq`; false after timeoutMs. */
  async reach(service: SourceService, seq: number, timeoutMs: number): Promise<boolean> {
    const st = this.streams[service];
    // A stream that never answered (not served yet) holds nothing back once the first seconds passed.
    const ok = () =>
      this.head[service] >= seq && (st.caughtUp || (st.lastSyncAt === undefined && this.deps.now() - this.startedAt > NOT_SERVED_GRACE_MS));
    const deadline = this.deps.now() + timeoutMs;
    while (!ok()) {
      const left = deadline - this.deps.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const done = () => (clearTimeout(t), st.waiters.delete(done), resolve());
        const t = setTimeout(done, left);
        st.waiters.add(done);
      });
    }
    return true;
  }

  caughtUp(service: SourceService): boolean {
    return this.streams[service].caughtUp;
  }

  /**
   * Reads events (after, until] of a stream again, for a resume older than the window. Answers
   * 'resync' when the stream no longer holds them (retention).
   */
  readRange(
    service: SourceService,
    after: number,
    until: number,
    onEvents: (events: StreamEvent[]) => Promise<void>,
  ): Promise<'done' | 'resync'> {
    return new Promise((resolve, reject) => {
      let finished = false;
      const finish = (r: 'done' | 'resync' | Error) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        void sub.stop();
        if (r instanceof Error) reject(r);
        else resolve(r);
      };
      const timer = setTimeout(() => finish(new Error(`reading ${service} events ${after}..${until} took too long`)), 30_000);
      const sub = this.deps.transport.subscribe({
        service,
        after,
        handler: async (events) => {
          if (finished) return;
          const wanted = events.filter((e) => e.seq <= until);
          if (wanted.length > 0) await onEvents(wanted);
          if (events.length === 0 || events[events.length - 1].seq >= until) finish('done');
        },
        onResync: () => finish('resync'),
        onSync: ({ after: at }) => {
          if (at >= until) finish('done');
        },
      });
    });
  }

  private wake(st: StreamState): void {
    for (const w of [...st.waiters]) w();
  }
}
