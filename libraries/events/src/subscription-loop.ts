import type { EventLogger, EventSubscription, ResyncInfo, StreamEvent, SubscribeOptions } from './types';

/**
 * The shared shape of a subscription: a loop that fetches a batch, hands it over, waits for the
 * handler (backpressure), and backs off on errors. Transports give `fetchBatch`.
 */
export interface BatchSource {
  /** Events after `after` (may be empty after waiting a while); `caughtUp` when nothing more is waiting. */
  fetch(after: number, signal: AbortSignal): Promise<{ events: StreamEvent[]; caughtUp: boolean } | { resync: ResyncInfo }>;
  /** Called once the handler resolved for a batch (durable consumers ack here). */
  done?(events: StreamEvent[]): Promise<void>;
  /** Called when the handler threw for a batch (durable consumers nak here). */
  failed?(events: StreamEvent[]): Promise<void>;
  /** A resync moved the cursor: the source restarts from it. */
  reset?(after: number): Promise<void>;
  close?(): Promise<void>;
}

/**
 * Waits `ms`, or less when `signal` aborts first (a stopping subscription does not wait out a
 * delay). The abort listener goes when the wait ends: the signal lives as long as the subscription,
 * and one left per retry or hold-back would pile up (MaxListenersExceededWarning, memory).
 */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

export function runSubscription(o: SubscribeOptions, source: BatchSource, logger: EventLogger): EventSubscription {
  const abort = new AbortController();
  let after = o.after;
  let failing = false;
  const sleep = (ms: number) => sleepUnlessAborted(ms, abort.signal);
  const loop = (async () => {
    let backoff = 100;
    while (!abort.signal.aborted) {
      try {
        const got = await source.fetch(after, abort.signal);
        if (abort.signal.aborted) break;
        if ('resync' in got) {
          logger.warn({ ...got.resync, after }, 'event cursor older than retention: resync');
          const next = await o.onResync?.(got.resync);
          after = typeof next === 'number' ? next : got.resync.firstAvailable - 1;
          await source.reset?.(after);
          continue;
        }
        // Each event once per subscription, in order: anything at or below the cursor was delivered.
        const fresh = got.events.filter((e) => e.seq > after);
        if (fresh.length > 0) {
          try {
            await o.handler(fresh);
          } catch (err) {
            await source.failed?.(fresh);
            throw err;
          }
          after = fresh[fresh.length - 1].seq;
          await source.done?.(fresh);
        } else if (got.events.length > 0) {
          await source.done?.(got.events);
        }
        o.onSync?.({ service: o.service, at: Date.now(), caughtUp: got.caughtUp, after });
        if (failing) logger.info({ service: o.service }, 'event stream reachable again');
        failing = false;
        backoff = 100;
      } catch (err) {
        if (abort.signal.aborted) break;
        // Warn on the transition only: a stream that stays down must not flood the logs.
        if (!failing) logger.warn({ service: o.service, err: (err as Error).message }, 'event subscription failed: retrying');
        failing = true;
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  })();
  return {
    async stop() {
      abort.abort();
      await loop;
      await source.close?.();
    },
  };
}

/**
 * The subscriptions a transport runs: each one can be stopped on its own, and close() stops
 * whatever is still running.
 */
export class RunningSubscriptions {
  private readonly running = new Set<EventSubscription>();

  add(sub: EventSubscription): EventSubscription {
    this.running.add(sub);
    return {
      stop: async () => {
        this.running.delete(sub);
        await sub.stop();
      },
    };
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running].map((sub) => sub.stop()));
    this.running.clear();
  }
}
