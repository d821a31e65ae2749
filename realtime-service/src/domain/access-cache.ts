import type { Logger } from '@canaduck/logging';
import type { ChannelAccess, ChannelClient } from '../clients/channel-client';

export interface AccessCacheDeps {
  channels: Pick<ChannelClient, 'access'>;
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

/**
 * channel-service's access answers (the rules of GET /msg), per channel and pseudo. A channel's
 * answers are dropped when one of its events arrives, so a kick, a ban or a mode change counts
 * from the next event on. A failed question is remembered briefly as "no access": when
 * channel-service cannot answer, nothing is delivered rather than too much.
 */
export class AccessCache {
  private readonly byChannel = new Map<string, Map<string, Entry>>();
  private readonly inFlight = new Map<string, Promise<ChannelAccess | undefined>>();

  constructor(private readonly deps: AccessCacheDeps) {}

  /** The cached answer, or undefined when it must be asked (see fetch). */
  peek(channel: string, pseudo: string, admin: boolean): Entry | undefined {
    const e = this.byChannel.get(channel)?.get(key(pseudo, admin));
    return e && e.until > this.deps.now() ? e : undefined;
  }

  /** Asks (once at a time per key) and caches; undefined means no access. */
  async fetch(channel: string, pseudo: string, admin: boolean): Promise<ChannelAccess | undefined> {
    const hit = this.peek(channel, pseudo, admin);
    if (hit) return hit.access;
    const k = `${channel}\n${key(pseudo, admin)}`;
    let p = this.inFlight.get(k);
    if (!p) {
      const generation = this.generations.get(channel) ?? 0;
      p = this.deps.channels.access(channel, pseudo, admin).then(
        (access) => (this.store(channel, pseudo, admin, access, generation), access),
        (err: Error) => {
          this.deps.logger.warn({ channel, err: err.message }, 'channel access unknown: nothing delivered for it');
          this.store(channel, pseudo, admin, undefined, generation, Math.min(1000, this.deps.ttlMs), true);
          return undefined;
        },
      );
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

  // Per channel: an answer asked before a forget() must not be stored after it.
  private readonly generations = new Map<string, number>();

  /**
   * For a decision that is not re-made at the next event (a subscription): when channel-service
   * did not answer, ask again a few times before taking it as a refusal.
   */
  async fetchSure(channel: string, pseudo: string, admin: boolean, attempts = 4): Promise<ChannelAccess | undefined> {
    for (let i = 1; ; i++) {
      const access = await this.fetch(channel, pseudo, admin);
      const entry = this.byChannel.get(channel)?.get(key(pseudo, admin));
      if (access || !entry?.failed || i >= attempts) return access;
      this.byChannel.get(channel)?.delete(key(pseudo, admin));
      await new Promise((r) => setTimeout(r, 250 * i));
    }
  }

  private store(
    channel: string,
    pseudo: string,
    admin: boolean,
    access: ChannelAccess | undefined,
    generation: number,
    ttl?: number,
    failed = false,
  ): void {
    if (generation !== (this.generations.get(channel) ?? 0)) return;
    const ttlMs = ttl ?? (this.deps.channelStreamInSync() ? this.deps.syncedTtlMs : this.deps.ttlMs);
    let m = this.byChannel.get(channel);
    if (!m) this.byChannel.set(channel, (m = new Map()));
    m.set(key(pseudo, admin), { access, until: this.deps.now() + ttlMs, failed });
  }
}

const key = (pseudo: string, admin: boolean) => `${pseudo.toLowerCase()}|${admin ? 1 : 0}`;
