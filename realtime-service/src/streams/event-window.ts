import type { StreamEvent } from '@canaduck/events';

/**
 * The last `capacity` events of one stream, in seq order. Resumes
 * within it are served from memory; older cursors read the stream again.
 */
export class EventWindow {
  private events: StreamEvent[] = [];
  private start = 0;

  constructor(private readonly capacity: number) {}

  push(e: StreamEvent): void {
    this.events.push(e);
    if (this.events.length - this.start > this.capacity) this.start++;
    // Compact now and then instead of shifting on every push.
    if (this.start > 4096 && this.start * 2 > this.events.length) {
      this.events = this.events.slice(this.start);
      this.start = 0;
    }
  }

  /** The oldest seq held (undefined when empty). */
  get firstSeq(): number | undefined {
    return this.start < this.events.length ? this.events[this.start].seq : undefined;
  }

  get lastSeq(): number | undefined {
    return this.start < this.events.length ? this.events[this.events.length - 1].seq : undefined;
  }

  /** True when every event after `after` is held (or there is none). */
  covers(after: number): boolean {
    const first = this.firstSeq;
    return first === undefined || after >= first - 1;
  }

  /** Events with seq > after, at most `limit`, in order. */
  after(after: number, limit = Infinity): StreamEvent[] {
    // Binary search rather than index arithmetic: correct even if a stream ever skips a number.
    let lo = this.start;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.events[mid].seq > after) hi = mid;
      else lo = mid + 1;
    }
    const from = lo;
    return this.events.slice(from, Math.min(this.events.length, from + limit));
  }
}
