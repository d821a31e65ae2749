import { ServiceUnavailableError } from '@canaduck/errors';
import type { ServiceClient } from '@canaduck/http-client';
import { feedPageSchema } from '../feed/event-schemas';

export interface FeedPage {
  events: unknown[];
  lastSeq: number | undefined;
}

/** Reads message-service's event feed (`GET /internal/events`) with the service token. */
export class MessageClient {
  constructor(private readonly http: ServiceClient) {}

  async events(after: number, limit: number): Promise<FeedPage> {
    const res = await this.http.get<unknown>('/internal/events', { query: { after, limit } });
    if (res.status !== 200) throw new ServiceUnavailableError(`message-service feed answered ${res.status}`, 'feed_unavailable');
    const page = feedPageSchema.safeParse(res.data);
    if (!page.success) throw new ServiceUnavailableError('message-service feed answered an unexpected body', 'feed_invalid');
    return { events: page.data.events, lastSeq: page.data.last_seq };
  }
}
