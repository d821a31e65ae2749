import type { Transactor } from '@canaduck/db';
import type { Logger } from '@canaduck/logging';
import { MAX_NAMES, type ChannelClient, type ChannelVisibility } from '../clients/channel-client';
import type { ChannelRepository, StoredChannel, Visibility } from '../repositories/channel-repository';

export interface ChannelVisibilityDeps {
  db: Transactor;
  channels: ChannelRepository;
  channelService: ChannelClient;
  logger: Logger;
  /** How often every known channel's visibility is asked again (the other names: at once). */
  channelRefreshMs: number;
}

/**
 * Keeps the local copy of channel visibility (private, secret, current channel_id) in step with
 * channel-service: names new to the feed at once, every known name each channelRefreshMs.
 */
export class ChannelVisibilityService {
  private lastFullRefresh = 0;

  constructor(private readonly deps: ChannelVisibilityDeps) {}

  async refresh(now: number): Promise<void> {
    const full = now - this.lastFullRefresh >= this.deps.channelRefreshMs;
    const rows = full ? await this.deps.channels.all() : await this.deps.channels.pending();
    for (let i = 0; i < rows.length; i += MAX_NAMES) {
      const part = rows.slice(i, i + MAX_NAMES);
      // Asked outside the transaction: no database lock is held while channel-service answers.
      const answer = await this.deps.channelService.visibility(part.map((r) => r.name));
      const changes = changesOf(part, answer);
      if (changes.length === 0) continue;
      await this.deps.db.transaction(async (trx) => {
        for (const { name, next } of changes) await this.deps.channels.update(name, next, now, trx);
      });
      this.deps.logger.info({ changed: changes.length }, 'channel visibility updated');
    }
    if (full) this.lastFullRefresh = now;
  }
}

/**
 * The rows whose visibility changed: names channel-service returned get their current channel_id
 * and flags; names it left out no longer exist (channel_id null: hidden); never-checked rows are
 * always written, so that they stop being pending.
 */
function changesOf(asked: StoredChannel[], answer: ChannelVisibility[]): Array<{ name: string; next: Visibility }> {
  const byName = new Map(answer.map((c) => [c.name.toLowerCase(), c]));
  const changes: Array<{ name: string; next: Visibility }> = [];
  for (const row of asked) {
    const found = byName.get(row.name);
    const next: Visibility = found
      ? { channel_id: found.channel_id, private: found.private, secret: found.secret }
      : { channel_id: null, private: false, secret: false };
    const same =
      row.checked_at !== null && row.channel_id === next.channel_id && row.private === next.private && row.secret === next.secret;
    if (!same) changes.push({ name: row.name, next });
  }
  return changes;
}
