import { HOUR_MS, hourOf } from '../feed/batch-plan';
import type { Scope, StatsRepository } from '../repositories/stats-repository';
import type { StatsStateRepository } from '../repositories/stats-state-repository';

export interface StatsServiceDeps {
  stats: StatsRepository;
  state: StatsStateRepository;
  /** Clock for the hourly buckets. */
  now: () => number;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** The four statistics, shaped as structures.md section 4 fixes them. */
export class StatsService {
  constructor(private readonly deps: StatsServiceDeps) {}

  private async asOf(): Promise<number | null> {
    return (await this.deps.state.read()).asOf;
  }

  /** `since` counts from the start of its UTC hour (the granularity of the hourly counters). */
  async activeChannels(scope: Scope, limit: number, since: number | null) {
    const [rows, asOf] = await Promise.all([
      this.deps.stats.activeChannels(scope, limit, since === null ? null : hourOf(since)),
      this.asOf(),
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
    const current = hourOf(this.deps.now());
    const first = current - (hours - 1) * HOUR_MS;
    const [counts, asOf] = await Promise.all([this.deps.stats.hourly(scope, first, current), this.asOf()]);
    const buckets = [];
    for (let h = first; h <= current; h += HOUR_MS) buckets.push({ hour: new Date(h).toISOString(), messages: counts.get(h) ?? 0 });
    return { hours: buckets, as_of: iso(asOf) };
  }

  async messagesPerUser(scope: Scope, limit: number) {
    const [users, asOf] = await Promise.all([this.deps.stats.messagesPerUser(scope, limit), this.asOf()]);
    return { users, limit, as_of: iso(asOf) };
  }

  async topReactedMessages(scope: Scope, limit: number) {
    const [messages, asOf] = await Promise.all([this.deps.stats.topReacted(scope, limit), this.asOf()]);
    return { messages, limit, as_of: iso(asOf) };
  }
}
