import { ServiceClient } from '@canaduck/http-client';
import {
  accessBatchAnswerSchema,
  channelAccessSchema,
  MAX_ACCESS_BATCH,
  publicChannelsOfUserSchema,
  type ChannelAccess,
} from '@canaduck/contracts';
import type { Logger } from '@canaduck/logging';

export type { ChannelAccess };

/** One pseudo's access question (admin: from its verified JWT). */
export interface AccessAsk {
  pseudo: string;
  admin: boolean;
}

export interface ChannelClientOptions {
  baseUrl: string;
  timeoutMs: number;
  serviceAuth: () => string;
  logger: Logger;
  /** Asks per batch call, at most the contract's MAX_ACCESS_BATCH (smaller keeps bodies well under BODY_LIMIT). */
  batchSize?: number;
}

/** channel-service as realtime needs it: access (same rules as GET /msg) and a user's channels. */
export class ChannelClient {
  private readonly client: ServiceClient;
  private readonly batchSize: number;

  constructor(private readonly o: ChannelClientOptions) {
    this.client = new ServiceClient({ name: 'channel-service', baseUrl: o.baseUrl, timeoutMs: o.timeoutMs, serviceAuth: o.serviceAuth });
    this.batchSize = Math.min(o.batchSize ?? 500, MAX_ACCESS_BATCH);
  }

  /**
   * The access of many pseudos in one channel, in the order asked (POST /internal/access/batch,
   * in calls of at most batchSize). Throws when channel-service cannot answer: the caller then
   * delivers nothing (never too much).
   */
  async accessMany(channel: string, asks: AccessAsk[]): Promise<ChannelAccess[]> {
    const out: ChannelAccess[] = [];
    for (let i = 0; i < asks.length; i += this.batchSize) {
      const part = asks.slice(i, i + this.batchSize);
      const res = await this.client.post<unknown>('/internal/access/batch', { body: { channel, asks: part } });
      // A channel-service older than the batch route (a rolling update): the single route, one by one.
      if (res.status === 404 && (res.data as { code?: string } | undefined)?.code === 'route_not_found') {
        for (const a of part) out.push(await this.access(channel, a.pseudo, a.admin));
        continue;
      }
      if (res.status !== 200) throw new Error(`channel-service answered ${res.status} to an access batch`);
      const answer = accessBatchAnswerSchema.parse(res.data);
      if (answer.answers.length !== part.length) throw new Error('channel-service answered a batch of another size');
      for (const a of answer.answers) out.push(a.access);
    }
    return out;
  }

  /** The single question (GET /internal/channels/<name>/access/<pseudo>). */
  async access(channel: string, pseudo: string, admin: boolean): Promise<ChannelAccess> {
    const res = await this.client.get<unknown>(`/internal/channels/${encodeURIComponent(channel)}/access/${encodeURIComponent(pseudo)}`, {
      query: { admin: String(admin) },
    });
    if (res.status !== 200) throw new Error(`channel-service answered ${res.status} to an access question`);
    return channelAccessSchema.parse(res.data);
  }

  /**
   * The channels the user is a member of, private and secret ones included (`scope=all`): the
   * connection follows them, each event is still checked with the access route. Undefined when
   * channel-service cannot answer.
   */
  async channelsOf(pseudo: string): Promise<string[] | undefined> {
    try {
      const res = await this.client.get<unknown>(`/internal/users/${encodeURIComponent(pseudo)}/channels`, { query: { scope: 'all' } });
      const parsed = res.status === 200 ? publicChannelsOfUserSchema.safeParse(res.data) : undefined;
      if (parsed?.success) return parsed.data.channels;
      this.o.logger.warn({ status: res.status }, 'unexpected answer to the user channels call');
    } catch (err) {
      this.o.logger.warn({ err: (err as Error).message }, 'channel-service unavailable for the user channels call');
    }
    return undefined;
  }

  close(): void {
    this.client.close();
  }
}
