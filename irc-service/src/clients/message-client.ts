import type { ServiceClient } from '@canaduck/http-client';
import type { EventsPage } from '@canaduck/contracts';
import type { Answer, Message } from './types';

export interface HistoryQuery {
  before?: number;
  limit: number;
}

/** message-service's public routes (with the user's token) and its event feed (service token). */
export class MessageClient {
  constructor(
    private readonly http: ServiceClient,
    private readonly internal: ServiceClient,
  ) {}

  post(auth: string, target: { channel: string } | { to: string }, text: string, replyTo?: number): Promise<Answer<Message>> {
    return this.http.post('/msg', { authorization: auth, body: { ...target, text, ...(replyTo ? { reply_to: replyTo } : {}) } });
  }

  react(auth: string, messageId: number, emoji: string): Promise<Answer<Message>> {
    return this.http.post('/msg/reaction', { authorization: auth, body: { message_id: messageId, emoji } });
  }

  unreact(auth: string, messageId: number, emoji: string): Promise<Answer<Message>> {
    return this.http.delete('/msg/reaction', { authorization: auth, query: { message_id: messageId, emoji } });
  }

  channelHistory(auth: string, channel: string, q: HistoryQuery): Promise<Answer<{ messages: Message[] }>> {
    return this.http.get('/msg', { authorization: auth, query: { channel, limit: q.limit, before: q.before } });
  }

  privateHistory(auth: string, from: string, to: string, q: HistoryQuery): Promise<Answer<{ messages: Message[] }>> {
    return this.http.get('/msg/private', { authorization: auth, query: { from, to, limit: q.limit, before: q.before } });
  }

  /** The internal feed, read by the polling transport (IRC_EVENT_TRANSPORT=poll). */
  events(after: number, limit: number): Promise<Answer<EventsPage>> {
    return this.internal.get('/internal/events', { query: { after, limit } });
  }

  close(): void {
    this.http.close();
    this.internal.close();
  }
}
