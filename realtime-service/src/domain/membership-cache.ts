import type { ChannelClient } from '../clients/channel-client';

export interface MembershipCacheDeps {
  channels: Pick<ChannelClient, 'channelsOf'>;
  ttlMs: () => number;
  now: () => number;
}

/**
 * The channels a user is a member of, asked once per user for a while: a reconnect storm asks
 * channel-service once per user, not once per connection. It only says which channels a
 * connection follows; what it may read is still each event's access check, so a stale list can
 * cost a wasted check, never a leak. Member events of the user drop the entry.
 */
export class MembershipCache {
  private readonly entries = new Map<string, { channels: Promise<string[]>; until: number }>();

  constructor(private readonly deps: MembershipCacheDeps) {}

  of(pseudo: string): Promise<string[]> {
    const key = pseudo.toLowerCase();
    const now = this.deps.now();
    const hit = this.entries.get(key);
    if (hit && hit.until > now) return hit.channels;
    const channels = this.deps.channels.channelsOf(pseudo).then((names) => {
      // Not known (channel-service did not answer): not remembered, the next connection asks again.
      if (!names) this.entries.delete(key);
      return (names ?? []).map((n) => n.toLowerCase());
    });
    this.entries.set(key, { channels, until: now + this.deps.ttlMs() });
    if (this.entries.size > 100_000) this.entries.delete(this.entries.keys().next().value!);
    return channels;
  }

  forget(pseudo: string): void {
    this.entries.delete(pseudo.toLowerCase());
  }
}
