import { z } from 'zod';
import { ServiceUnavailableError } from '@canaduck/errors';
import type { ServiceClient } from '@canaduck/http-client';

export interface ChannelVisibility {
  name: string;
  channel_id: string;
  private: boolean;
  secret: boolean;
}

// Caller-side shape of channel-service's GET /internal/channels answer, until @canaduck/contracts
// (channel-service.ts, owned with channel-service) exports it.
const answerSchema = z.object({
  channels: z.array(z.object({ name: z.string(), channel_id: z.string(), private: z.boolean(), secret: z.boolean() })),
});

/** channel-service accepts at most this many names per call. */
export const MAX_NAMES = 500;

/** Asks channel-service (`GET /internal/channels?names=`) which channels exist and how visible they are. */
export class ChannelClient {
  constructor(private readonly http: ServiceClient) {}

  /** Existing channels among `names` (at most 500); unknown names are left out. */
  async visibility(names: string[]): Promise<ChannelVisibility[]> {
    const res = await this.http.get<unknown>('/internal/channels', { query: { names: names.join(',') } });
    if (res.status !== 200) throw new ServiceUnavailableError(`channel-service answered ${res.status}`, 'channels_unavailable');
    const body = answerSchema.safeParse(res.data);
    if (!body.success) throw new ServiceUnavailableError('channel-service answered an unexpected body', 'channels_invalid');
    return body.data.channels;
  }
}
