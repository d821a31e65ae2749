import { channelAccessSchema, publicChannelsOfUserSchema, type ChannelAccess } from '@canaduck/contracts';
import type { ServiceClient } from '@canaduck/http-client';

export type { ChannelAccess };

/** channel-service as realtime needs it: access (same rules as GET /msg) and a user's channels. */
export class ChannelClient {
  constructor(private readonly http: ServiceClient) {}

  /** Throws when channel-service cannot answer: the caller then delivers nothing (never too much). */
  async access(channel: string, pseudo: string, admin: boolean): Promise<ChannelAccess> {
    const res = await this.http.get<unknown>(`/internal/channels/${encodeURIComponent(channel)}/access/${encodeURIComponent(pseudo)}`, {
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
    const path = `/internal/users/${encodeURIComponent(pseudo)}/channels`;
    return (await this.http.getOptional(path, publicChannelsOfUserSchema, { query: { scope: 'all' } }))?.channels;
  }

  close(): void {
    this.http.close();
  }
}
