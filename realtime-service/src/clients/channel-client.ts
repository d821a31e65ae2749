import {
  accessBatchAnswerSchema,
  channelAccessSchema,
  MAX_ACCESS_BATCH,
  publicChannelsOfUserSchema,
  type ChannelAccess,
} from '@canaduck/contracts';
import type { ServiceClient } from '@canaduck/http-client';

export type { ChannelAccess };

/** One pseudo's access question (admin: from its verified JWT). */
export interface AccessAsk {
  pseudo: string;
  admin: boolean;
}

/** channel-service as realtime needs it: access (same rules as GET /msg) and a user's channels. */
export class ChannelClient {
  private readonly batchSize: number;

  /** batchSize: asks per batch call, at most the contract's MAX_ACCESS_BATCH (smaller keeps bodies well under BODY_LIMIT). */
  constructor(
    private readonly http: ServiceClient,
    batchSize = 500,
  ) {
    this.batchSize = Math.min(batchSize, MAX_ACCESS_BATCH);
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
      const res = await this.http.post<unknown>('/internal/access/batch', { body: { channel, asks: part } });
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
    const res = await this.http.get<unknown>(`/internal/channels/${encodeURIComponent(channel)}/access/${encodeURIComponent(pseudo)}`, {
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
    const path = `/internal/users/${encodeURIComponent(pseudo)}/channels`;
    return (await this.http.getOptional(path, publicChannelsOfUserSchema, { query: { scope: 'all' } }))?.channels;
  }

  close(): void {
    this.http.close();
  }
}
