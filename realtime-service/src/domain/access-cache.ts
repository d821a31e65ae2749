import type { Logger } from '@canaduck/logging';
import type { AccessAsk, ChannelAccess, ChannelClient } from '../clients/channel-client';

export interface AccessCacheDeps {
  channels: Pick<ChannelClient, 'accessMany'>;
  /** TTL while the channel stream is down or not served (the contract's ACCESS_CACHE_MS). */
  ttlMs: number;
  /** TTL while the channel stream is in sync: its events drop a channel's answers at once. */
  syncedTtlMs: number;
  channelStreamInSync: () => boolean;
  logger: Logger;
  now: () => number;
}

interface Entry {
  access: ChannelAccess | undefined;
  until: number;
  /** channel-service did not answer (not a "no"). */
  failed?: boolean;
}

interface Waiting extends AccessAsk {
  generation: number;
  resolve: (access: ChannelAccess | undefined) => void;
}

/** Per channel: the questions waiting for the next batch, and whether one is on its way. */
interface ChannelQueue {
  waiting: Map<string, Waiting>;
  busy: boolean;
}

/**
 * channel-service's access answers (the rules of GET /msg), per channel and pseudo. A channel's
 * answers are dropped when one of its events arrives, so a kick, a ban or a mode change counts
 * from the next event on. A failed question is remembered briefly as "no access": when
 * channel-service cannot answer, nothing is delivered rather than too much.
 *
 * Questions are single-flight (concurrent asks of one key share one answer) and batched: each
 * channel has at most one batch call on its way, and the questions that come meanwhile go
 * together in the next one. A reconnect storm of 10,000 clients makes a handful of calls.
 */
export class AccessCache {
  private readonly byChannel = new Map<string, Map<string, Entry>>();
  private readonly inFlight = new Map<string, Promise<ChannelAccess | undefined>>();
  private readonly queues = new Map<string, ChannelQueue>();
  // Per channel: an answer asked before a forget() must not be stored after it.
  private readonly generations = new Map<string, number>();
  /** Batch calls made (the storm test counts them). */
  calls = 0;

  constructor(private readonly deps: AccessCacheDeps) {}

  /** The cached answer, or undefined when it must be asked (see fetch). */
  peek(channel: string, pseudo: string, admin: boolean): Entry | undefined {
    const e = this.byChannel.get(channel)?.get(key(pseudo, admin));
    return e && e.until > this.deps.now() ? e : undefined;
  }

  /** Asks (once at a time per key, batched per channel) and caches; undefined means no access. */
  async fetch(channel: string, pseudo: string, admin: boolean): Promise<ChannelAccess | undefined> {
    const hit = this.peek(channel, pseudo, admin);
    if (hit) return hit.access;
    const k = `${channel}\n${key(pseudo, admin)}`;
    let p = this.inFlight.get(k);
    if (!p) {
      const generation = this.generations.get(channel) ?? 0;
      p = new Promise<ChannelAccess | undefined>((resolve) => this.enqueue(channel, { pseudo, admin, generation, resolve }));
      this.inFlight.set(k, p);
      void p.finally(() => this.inFlight.delete(k));
    }
    return p;
  }

  /** A channel event arrived: every answer about this channel may be stale. */
  forget(channel: string): void {
    this.byChannel.delete(channel);
    this.generations.set(channel, (this.generations.get(channel) ?? 0) + 1);
  }

  /**
   * For a decision that is not re-made at the next event (a subscription): when channel-service
   * did not answer, ask again a few times before taking it as a refusal.
   */
  async fetchSure(channel: string, pseudo: string, admin: boolean, attempts = 4): Promise<ChannelAccess | undefined> {
    for (let i = 1; ; i++) {
      const access = await this.fetch(channel, pseudo, admin);
      if (access || !this.failed(channel, pseudo, admin) || i >= attempts) return access;
      this.byChannel.get(channel)?.delete(key(pseudo, admin));
      await new Promise((r) => setTimeout(r, 250 * i));
    }
  }

  /** The last question about this key got no answer (channel-service down), as opposed to a "no". */
  failed(channel: string, pseudo: string, admin: boolean): boolean {
    return this.byChannel.get(channel)?.get(key(pseudo, admin))?.failed === true;
  }

  private enqueue(channel: string, w: Waiting): void {
    let q = this.queues.get(channel);
    if (!q) this.queues.set(channel, (q = { waiting: new Map(), busy: false }));
    q.waiting.set(key(w.pseudo, w.admin), w);
    // After this turn of the event loop: every question asked in it goes in the same batch.
    if (!q.busy && q.waiting.size === 1) setImmediate(() => void this.send(channel));
  }

  private async send(channel: string): Promise<void> {
    const q = this.queues.get(channel);
    if (!q || q.busy || q.waiting.size === 0) return;
    const batch = [...q.waiting.values()];
    q.waiting = new Map();
    q.busy = true;
    this.calls++;
    try {
      const answers = await this.deps.channels.accessMany(
        channel,
        batch.map((w) => ({ pseudo: w.pseudo, admin: w.admin })),
      );
      batch.forEach((w, i) => {
        this.store(channel, w, answers[i]);
        w.resolve(answers[i]);
      });
    } catch (err) {
      this.deps.logger.warn(
        { channel, asks: batch.length, err: (err as Error).message },
        'channel access unknown: nothing delivered for it',
      );
      for (const w of batch) {
        this.store(channel, w, undefined, Math.min(1000, this.deps.ttlMs), true);
        w.resolve(undefined);
      }
    } finally {
      q.busy = false;
      if (q.waiting.size > 0) void this.send(channel);
      else this.queues.delete(channel);
    }
  }

  private store(channel: string, w: Waiting, access: ChannelAccess | undefined, ttl?: number, failed = false): void {
    if (w.generation !== (this.generations.get(channel) ?? 0)) return;
    const ttlMs = ttl ?? (this.deps.channelStreamInSync() ? this.deps.syncedTtlMs : this.deps.ttlMs);
    let m = this.byChannel.get(channel);
    if (!m) this.byChannel.set(channel, (m = new Map()));
    m.set(key(w.pseudo, w.admin), { access, until: this.deps.now() + ttlMs, failed });
  }
}

const key = (pseudo: string, admin: boolean) => `${pseudo.toLowerCase()}|${admin ? 1 : 0}`;
