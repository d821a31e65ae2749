import type { Knex } from '@canaduck/db';
import type { ChannelVisibility } from '../clients/channel-client';

export interface StoredChannel {
  name: string;
  channel_id: string | null;
  private: boolean;
  secret: boolean;
  checked_at: number | null;
}

function toChannel(r: Record<string, unknown>): StoredChannel {
  return {
    name: String(r.name),
    channel_id: (r.channel_id as string | null) ?? null,
    private: Number(r.private) === 1 || r.private === true,
    secret: Number(r.secret) === 1 || r.secret === true,
    checked_at: r.checked_at === null ? null : Number(r.checked_at),
  };
}

/** The local visibility table: one row per channel name seen in the feed. */
export class ChannelRepository {
  constructor(private readonly knex: Knex) {}

  async all(): Promise<StoredChannel[]> {
    return ((await this.knex('stats_channels').orderBy('name')) as Record<string, unknown>[]).map(toChannel);
  }

  /** Names seen in the feed but never asked about yet. */
  async pending(): Promise<StoredChannel[]> {
    return ((await this.knex('stats_channels').whereNull('checked_at').orderBy('name')) as Record<string, unknown>[]).map(toChannel);
  }

  /**
   * Records channel-service's answer for `asked`: names it returned get their current
   * channel_id and flags; names it left out no longer exist (channel_id null: hidden).
   * Only rows whose visibility changed are written.
   */
  async record(asked: StoredChannel[], answer: ChannelVisibility[], now: number): Promise<number> {
    const byName = new Map(answer.map((c) => [c.name.toLowerCase(), c]));
    let changed = 0;
    await this.knex.transaction(async (trx) => {
      for (const row of asked) {
        const found = byName.get(row.name);
        const next = found
          ? { channel_id: found.channel_id, private: found.private, secret: found.secret }
          : { channel_id: null, private: false, secret: false };
        const same =
          row.checked_at !== null && row.channel_id === next.channel_id && row.private === next.private && row.secret === next.secret;
        if (same) continue;
        await trx('stats_channels')
          .where({ name: row.name })
          .update({ ...next, checked_at: now });
        changed += 1;
      }
    });
    return changed;
  }
}
