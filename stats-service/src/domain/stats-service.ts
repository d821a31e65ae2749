import { HOUR_MS, hourOf } from '../feed/batch-plan';
import type { Scope, StatsRepository } from '../repositories/stats-repository';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** The four statistics, shaped as structures.md section 4 fixes them. */
export class StatsService {
  constructor(
    private readonly repo: StatsRepository,
    private readonly now: () => number = Date.now,
  ) {}

  /** `since` counts from the start of its UTC hour (the granularity of the hourly counters). */
  async activeChannels(scope: Scope, limit: number, since: number | null) {
    const [rows, asOf] = await Promise.all([
      this.repo.activeChannels(scope, limit, since === null ? null : hourOf(since)),
      this.repo.asOf(),
    ]);
    return {
      channels: rows.map((r) => ({ channel: r.channel, messages: r.messages, last_message_at: iso(r.last_message_at) })),
      limit,
      ...(since === null ? {} : { since: new Date(hourOf(since)).toISOString() }),
      as_of: iso(asOf),
    };
  }

  /** The last `hours` UTC hours, oldest first, the current hour last, empty hours included. */
  async hourlyActivity(scope: Scope, hours: number) {
    const current = hourOf(this.now());
    const first = current - (hours - 1) * HOUR_MS;
    const [counts, asOf] = await Promise.all([this.repo.hourly(scope, first, current), this.repo.asOf()]);
    const buckets = [];
    for (let h = first; h <= current; h += HOUR_MS) buckets.push({ hour: new Date(h).toISOString(), messages: counts.get(h) ?? 0 });
    return { hours: buckets, as_of: iso(asOf) };
  }

  async messagesPerUser(scope: Scope, limit: number) {
    const [users, asOf] = await Promise.all([this.repo.messagesPerUser(scope, limit), this.repo.asOf()]);
    return { users, limit, as_of: iso(asOf) };
  }

  async topReactedMessages(scope: Scope, limit: number) {
    const [messages, asOf] = await Promise.all([this.repo.topReacted(scope, limit), this.repo.asOf()]);
    return { messages, limit, as_of: iso(asOf) };
  }
}
