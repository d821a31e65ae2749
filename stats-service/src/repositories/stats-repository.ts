import type { Knex } from '@canaduck/db';
import { PRIVATE_KEY } from '../feed/batch-plan';

/** Who may see what: the public view, or everything (an admin's include_private). */
export interface Scope {
  includePrivate: boolean;
}

export interface ChannelCount {
  channel: string;
  messages: number;
  last_message_at: number | null;
}
export interface UserCount {
  pseudo: string;
  messages: number;
}
export interface ReactedMessage {
  id: number;
  channel: string | null;
  from: string;
  /** null for a private message: its text is never stored nor shown here, admins included. */
  text: string | null;
  reactions_count: number;
}

/**
 * Read side of the aggregates. Every query reads counter tables (or the
 * reactions index) and joins the small channel visibility table, so its cost
 * follows the number of channels, users and hours, not the number of messages.
 * A counter row is shown only when its channel_id is the channel's current one
 * (a deleted or recreated channel never shows its old messages), and, in the
 * public view, when that channel is neither private (i) nor secret (s).
 */
export class StatsRepository {
  constructor(private readonly knex: Knex) {}

  /** Joins the visibility table on `<alias>.channel_key`; private messages ('') only for admins. */
  private visible(q: Knex.QueryBuilder, alias: string, scope: Scope, privateMessages: boolean): Knex.QueryBuilder {
    if (!scope.includePrivate) {
      return q.join('stats_channels as c', 'c.channel_id', `${alias}.channel_key`).where('c.private', false).andWhere('c.secret', false);
    }
    if (!privateMessages) return q.join('stats_channels as c', 'c.channel_id', `${alias}.channel_key`);
    return q
      .leftJoin('stats_channels as c', 'c.channel_id', `${alias}.channel_key`)
      .where((w) => w.where(`${alias}.channel_key`, PRIVATE_KEY).orWhereNotNull('c.name'));
  }

  async activeChannels(scope: Scope, limit: number, sinceHour: number | null): Promise<ChannelCount[]> {
    let q: Knex.QueryBuilder;
    if (sinceHour === null) {
      q = this.visible(this.knex('stats_channel_counts as x'), 'x', scope, false)
        .select('c.name as channel', 'x.messages as messages', 'x.last_message_at as last_message_at')
        .orderBy([{ column: 'x.messages', order: 'desc' }, { column: 'c.name' }]);
    } else {
      // Hourly counters make a `since` window cost hours x channels, never a scan of messages.
      q = this.visible(this.knex('stats_hourly_counts as h'), 'h', scope, false)
        .join('stats_channel_counts as x', 'x.channel_key', 'h.channel_key')
        .where('h.hour', '>=', sinceHour)
        .groupBy('c.name')
        .select(
          'c.name as channel',
          this.knex.raw('SUM(h.messages) as messages'),
          this.knex.raw('MAX(x.last_message_at) as last_message_at'),
        )
        .orderBy([{ column: 'messages', order: 'desc' }, { column: 'c.name' }]);
    }
    const rows = (await q.limit(limit)) as Record<string, unknown>[];
    return rows.map((r) => ({
      channel: String(r.channel),
      messages: Number(r.messages),
      last_message_at: r.last_message_at === null ? null : Number(r.last_message_at),
    }));
  }

  /** Messages per hour bucket in [fromHour, toHour]; only buckets that have messages. */
  async hourly(scope: Scope, fromHour: number, toHour: number): Promise<Map<number, number>> {
    const rows = (await this.visible(this.knex('stats_hourly_counts as h'), 'h', scope, true)
      .whereBetween('h.hour', [fromHour, toHour])
      .groupBy('h.hour')
      .select('h.hour as hour', this.knex.raw('SUM(h.messages) as messages'))) as Record<string, unknown>[];
    return new Map(rows.map((r) => [Number(r.hour), Number(r.messages)]));
  }

  async messagesPerUser(scope: Scope, limit: number): Promise<UserCount[]> {
    const rows = (await this.visible(this.knex('stats_user_counts as u'), 'u', scope, true)
      .groupBy('u.from_key')
      .select('u.from_key', this.knex.raw('MAX(u.pseudo) as pseudo'), this.knex.raw('SUM(u.messages) as messages'))
      .orderBy([{ column: 'messages', order: 'desc' }, { column: 'u.from_key' }])
      .limit(limit)) as Record<string, unknown>[];
    return rows.map((r) => ({ pseudo: String(r.pseudo), messages: Number(r.messages) }));
  }

  /**
   * Walks the (reactions_count, id) index from the top, page by page, keeping the
   * visible rows until `limit` are found: the cost is the rows read, never a sort
   * of all messages.
   */
  async topReacted(scope: Scope, limit: number): Promise<ReactedMessage[]> {
    const channels = (await this.knex('stats_channels').whereNotNull('channel_id').select('channel_id', 'private', 'secret')) as Record<
      string,
      unknown
    >[];
    const shown = new Set(
      channels.filter((c) => scope.includePrivate || (!Number(c.private) && !Number(c.secret))).map((c) => String(c.channel_id)),
    );
    const page = Math.max(limit * 2, 50);
    const out: ReactedMessage[] = [];
    let after: { count: number; id: number } | null = null;
    for (;;) {
      const q = this.knex('stats_messages')
        .where('reactions_count', '>', 0)
        .select('id', 'channel', 'channel_key', 'pseudo', 'text', 'reactions_count', 'private')
        .orderBy([
          { column: 'reactions_count', order: 'desc' },
          { column: 'id', order: 'desc' },
        ])
        .limit(page);
      if (after) {
        const { count, id } = after;
        q.andWhere((w) => w.where('reactions_count', '<', count).orWhere((x) => x.where('reactions_count', count).andWhere('id', '<', id)));
      }
      const rows = (await q) as Record<string, unknown>[];
      for (const r of rows) {
        const isPrivate = Number(r.private) === 1 || r.private === true;
        if (isPrivate ? !scope.includePrivate : !shown.has(String(r.channel_key))) continue;
        out.push({
          id: Number(r.id),
          channel: isPrivate ? null : String(r.channel),
          from: String(r.pseudo),
          text: isPrivate ? null : String(r.text),
          reactions_count: Number(r.reactions_count),
        });
        if (out.length === limit) return out;
      }
      if (rows.length < page) return out;
      const last = rows[rows.length - 1];
      after = { count: Number(last.reactions_count), id: Number(last.id) };
    }
  }
}
