import { waitUntil } from '@canaduck/testing';
import { CursorFollower, type CursorFollowerOptions } from '../src/cursor-follower';
import type { EventLogger, StreamEvent } from '../src/types';
import { ev, logger, range, sleep, transportMatrix, useServedStream } from './support';

/**
 * A follower's database in miniature: the effects (`applied`) and the cursor change in one
 * synchronous step, as one transaction would; events at or below the cursor change nothing.
 */
class CommittedState {
  cursor = 0;
  applied: number[] = [];
  batches: number[][] = [];
  /** How many of the next commits fail (a database that is down). */
  failures = 0;

  async commit(events: StreamEvent[]): Promise<void> {
    await sleep(5);
    if (this.failures > 0) {
      this.failures--;
      throw new Error('database unavailable');
    }
    this.batches.push(events.map((e) => e.seq));
    const fresh = events.filter((e) => e.seq > this.cursor);
    if (fresh.length === 0) return;
    this.applied.push(...fresh.map((e) => e.seq));
    this.cursor = fresh[fresh.length - 1].seq;
  }
}

/** A logger keeping its error lines. */
function recordingLogger(): EventLogger & { errors: Array<{ obj: unknown; msg?: string }> } {
  const errors: Array<{ obj: unknown; msg?: string }> = [];
  return { ...logger, errors, error: (obj: unknown, msg?: string) => void errors.push({ obj, msg }) } as EventLogger & {
    errors: typeof errors;
  };
}

const RESYNC = 'events beyond retention were never applied';

describe.each(transportMatrix)('cursor follower on %s over %s', (kind, transportKind) => {
  const t = useServedStream(kind, transportKind, { service: 'message', caller: 'stats-service' });
  const followers: CursorFollower[] = [];
  afterEach(async () => {
    await Promise.all(followers.splice(0).map((f) => f.stop()));
  });

  const follow = (state: CommittedState, o: Partial<CursorFollowerOptions> = {}) => {
    const follower = new CursorFollower({
      transport: t.transport(),
      service: 'message',
      storedCursor: async () => state.cursor,
      handle: (events) => state.commit(events),
      resyncMessage: RESYNC,
      logger,
      ...o,
    });
    followers.push(follower);
    return follower;
  };
  const publish = (from: number, to: number) => t.publish(range(from, to).map((n) => ev(n)));

  it('when started from a stored cursor, then only the later events are applied, each once, in seq order and in batches of batchSize', async () => {
    await publish(1, 8);
    const state = new CommittedState();
    state.cursor = 3;
    const syncs: number[] = [];
    const follower = follow(state, { batchSize: 2, onSync: ({ after }) => void syncs.push(after) });

    await follower.start();
    await follower.start();
    await waitUntil(() => state.cursor === 8, 'the stored events are applied');
    await publish(9, 10);
    await waitUntil(() => state.cursor === 10, 'the live events are applied');

    expect(state.applied).toEqual(range(4, 10));
    expect(Math.max(...state.batches.map((b) => b.length))).toBeLessThanOrEqual(2);
    expect(syncs).toContain(10);
  });

  it('when stopped and started again, then it resumes after the stored cursor: nothing applied twice, what came meanwhile applied', async () => {
    await publish(1, 3);
    const state = new CommittedState();
    const follower = follow(state);
    await follower.start();
    await waitUntil(() => state.cursor === 3, 'the first events are applied');
    await follower.stop();
    await publish(4, 6);
    await sleep(300);
    expect(state.cursor).toBe(3);

    await follower.start();
    await waitUntil(() => state.cursor === 6, 'the events published while stopped are applied');

    expect(state.applied).toEqual(range(1, 6));
  });

  it('when a batch fails to commit, then the same events come again until it commits, and nothing is skipped or doubled', async () => {
    await publish(1, 4);
    const state = new CommittedState();
    state.failures = 2;
    const follower = follow(state);

    await follower.start();
    await waitUntil(() => state.cursor === 4, 'the events are applied once the commit succeeds', 10_000);
    await publish(5, 5);
    await waitUntil(() => state.cursor === 5, 'the next event is applied');

    expect(state.applied).toEqual(range(1, 5));
  });

  it('when stopped while a batch is committing, then stop resolves only after that commit', async () => {
    await publish(1, 2);
    const state = new CommittedState();
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    let entered = false;
    const follower = follow(state, {
      handle: async (events) => {
        entered = true;
        await held;
        await state.commit(events);
      },
    });
    await follower.start();
    await waitUntil(() => entered, 'a batch is being committed');

    let stopped = false;
    const stopping = follower.stop().then(() => (stopped = true));
    await sleep(100);
    expect(stopped).toBe(false);
    release();
    await stopping;

    expect(state.applied).toEqual([1, 2]);
  });

  it('when the stored cursor is older than what the stream keeps, then the resync message is logged as an error and following goes on from the first kept event', async () => {
    const recorded = recordingLogger();
    await publish(1, 2);
    await sleep(10);
    await publish(3, 4);
    await t.dropThrough(2);
    const state = new CommittedState();
    const follower = follow(state, { logger: recorded });

    await follower.start();
    await waitUntil(() => state.cursor === 4, 'the kept events are applied', 10_000);

    expect(state.applied).toEqual([3, 4]);
    expect(recorded.errors).toEqual([{ obj: expect.objectContaining({ firstAvailable: 3, after: 0 }), msg: RESYNC }]);
  });
});
