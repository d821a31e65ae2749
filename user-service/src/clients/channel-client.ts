import { z } from 'zod';
import { ServiceClient } from '@canaduck/http-client';
import type { Logger } from '@canaduck/logging';

/**
 * The answer of channel-service's `GET /internal/users/<pseudo>/channels`, as this caller reads it.
 * Defined here until channel-service's contract (@canaduck/contracts, channel-service.ts) holds it.
 */
const userChannelsAnswerSchema = z.object({ channels: z.array(z.string()) });
export type UserChannelsAnswer = z.infer<typeof userChannelsAnswerSchema>;

export interface ChannelClientOptions {
  baseUrl: string;
  timeoutMs: number;
  /** The `Authorization` value of an internal call (a service token). */
  serviceAuth: () => string | Promise<string>;
  logger: Logger;
}

/** channel-service as user-service needs it: the public channels a user is in (whois). */
export class ChannelClient {
  private readonly client: ServiceClient;

  constructor(private readonly opts: ChannelClientOptions) {
    this.client = new ServiceClient({
      name: 'channel-service',
      baseUrl: opts.baseUrl,
      timeoutMs: opts.timeoutMs,
      serviceAuth: opts.serviceAuth,
    });
  }

  /**
   * The user's public channels, or null when channel-service cannot tell us
   * (down, slow, circuit open, unexpected answer): whois degrades, it never fails for this.
   */
  async publicChannelsOf(pseudo: string, requestId?: string): Promise<string[] | null> {
    try {
      const res = await this.client.get<unknown>(`/internal/users/${encodeURIComponent(pseudo)}/channels`, { requestId });
      const answer = res.status === 200 ? userChannelsAnswerSchema.safeParse(res.data) : undefined;
      if (answer?.success) return answer.data.channels;
      this.opts.logger.warn({ status: res.status }, 'channel-service gave an unexpected answer to the whois channels call');
    } catch (err) {
      this.opts.logger.warn({ err: (err as Error).message }, 'channel-service unavailable for whois channels');
    }
    return null;
  }

  close(): void {
    this.client.close();
  }
}
