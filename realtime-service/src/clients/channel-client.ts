import { z } from 'zod';
import { ServiceClient } from '@canaduck/http-client';
import type { Logger } from '@canaduck/logging';

/**
 * channel-service's `GET /internal/channels/<name>/access/<pseudo>` answer, as this caller reads
 * it. Defined here until channel-service's contract (@canaduck/contracts) is merged.
 */
export const channelAccessSchema = z.object({
  channel: z.string(),
  channel_id: z.string().nullable(),
  exists: z.boolean(),
  private: z.boolean(),
  secret: z.boolean(),
  member: z.boolean(),
  banned: z.boolean(),
  can_read: z.boolean(),
});
export type ChannelAccess = z.infer<typeof channelAccessSchema>;

const userChannelsSchema = z.object({ channels: z.array(z.string()) });

export interface ChannelClientOptions {
  baseUrl: string;
  timeoutMs: number;
  serviceAuth: () => string | Promise<string>;
  logger: Logger;
}

/** channel-service as realtime needs it: access (same rules as GET /msg) and a user's channels. */
export class ChannelClient {
  private readonly client: ServiceClient;

  constructor(private readonly o: ChannelClientOptions) {
    this.client = new ServiceClient({ name: 'channel-service', baseUrl: o.baseUrl, timeoutMs: o.timeoutMs, serviceAuth: o.serviceAuth });
  }

  /** Throws when channel-service cannot answer: the caller then delivers nothing (never too much). */
  async access(channel: string, pseudo: string, admin: boolean): Promise<ChannelAccess> {
    const res = await this.client.get<unknown>(`/internal/channels/${encodeURIComponent(channel)}/access/${encodeURIComponent(pseudo)}`, {
      query: { admin: String(admin) },
    });
    if (res.status !== 200) throw new Error(`channel-service answered ${res.status} to an access question`);
    return channelAccessSchema.parse(res.data);
  }

  /**
   * The channels the user is a member of. `scope=all` asks for private and secret ones too; a
   * channel-service that only knows the whois route answers the public ones (the others are then
   * learned from join events or explicit subscriptions). Undefined when it cannot answer.
   */
  async channelsOf(pseudo: string): Promise<string[] | undefined> {
    try {
      const res = await this.client.get<unknown>(`/internal/users/${encodeURIComponent(pseudo)}/channels`, { query: { scope: 'all' } });
      const parsed = res.status === 200 ? userChannelsSchema.safeParse(res.data) : undefined;
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
