import { z } from 'zod';
import { ServiceUnavailableError } from '@canaduck/errors';
import type { ServiceClient } from '@canaduck/http-client';

// Caller-side shape of message-service's GET /internal/events answer, until @canaduck/contracts
// (message-service.ts, owned with message-service) exports it; anything else means "feed unavailable".
const feedPageSchema = z.object({
  events: z.array(z.unknown()),
  last_seq: z.number().int().nonnegative().optional(),
});

export interface FeedPage {
  /** Raw events: each one is checked by the feed applier, so one bad event never hides a page. */
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
