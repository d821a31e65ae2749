import type { Knex } from '@canaduck/db';

/** What channel-service says of a name; channel_id null: unknown or deleted (hidden). */
export interface Visibility {
  channel_id: string | null;
  private: boolean;
  secret: boolean;
}

export interface StoredChannel extends Visibility {
  name: string;
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

  /** Stores the visibility of one channel name as channel-service last answered it. */
  async update(name: string, visibility: Visibility, checkedAt: number, trx?: Knex.Transaction): Promise<void> {
    const q = trx ?? this.knex;
    await q('stats_channels')
      .where({ name })
      .update({ ...visibility, checked_at: checkedAt });
  }
}
