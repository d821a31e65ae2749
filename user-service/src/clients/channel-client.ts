import { publicChannelsOfUserSchema } from '@canaduck/contracts';
import type { ServiceClient } from '@canaduck/http-client';

/** channel-service as user-service needs it: the public channels a user is in (whois). */
export class ChannelClient {
  constructor(private readonly http: ServiceClient) {}

  /**
   * The user's public channels, or null when channel-service cannot tell us
   * (down, slow, circuit open, unexpected answer): whois degrades, it never fails for this.
   */
  async publicChannelsOf(pseudo: string, requestId?: string): Promise<string[] | null> {
    const path = `/internal/users/${encodeURIComponent(pseudo)}/channels`;
    const answer = await this.http.getOptional(path, publicChannelsOfUserSchema, { requestId });
    return answer?.channels ?? null;
  }

  close(): void {
    this.http.close();
  }
}
