import { channelVisibilityListSchema, MAX_CHANNEL_NAMES, type ChannelVisibility } from '@canaduck/contracts';
import { ServiceUnavailableError } from '@canaduck/errors';
import type { ServiceClient } from '@canaduck/http-client';

export type { ChannelVisibility };

/** channel-service accepts at most this many names per call. */
export const MAX_NAMES = MAX_CHANNEL_NAMES;

/** Asks channel-service (`GET /internal/channels?names=`) which channels exist and how visible they are. */
export class ChannelClient {
  constructor(private readonly http: ServiceClient) {}

  /** Existing channels among `names` (at most 500); unknown names are left out. */
  async visibility(names: string[]): Promise<ChannelVisibility[]> {
    const res = await this.http.get<unknown>('/internal/channels', { query: { names: names.join(',') } });
    if (res.status !== 200) throw new ServiceUnavailableError(`channel-service answered ${res.status}`, 'channels_unavailable');
    const body = channelVisibilityListSchema.safeParse(res.data);
    if (!body.success) throw new ServiceUnavailableError('channel-service answered an unexpected body', 'channels_invalid');
    return body.data.channels;
  }
}
