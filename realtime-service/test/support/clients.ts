import { EventSource } from 'eventsource';
import { WebSocket } from 'ws';
import { waitUntil } from '@canaduck/testing';
import type { Envelope } from '../../src/domain/envelope';

/** A WebSocket client that keeps every envelope it receives. */
export class WsClient {
  readonly received: Envelope[] = [];
  closeCode: number | undefined;
  closeReason = '';
  readonly ws: WebSocket;
  readonly opened: Promise<void>;

  constructor(url: string, o: { token?: string; query?: string } = {}) {
    const wsUrl = `${url.replace(/^http/, 'ws')}/ws${o.query ? `?${o.query}` : ''}`;
    this.ws = new WebSocket(wsUrl, { headers: o.token ? { authorization: `Bearer ${o.token}` } : {}, perMessageDeflate: false });
    this.ws.on('message', (raw) => this.received.push(JSON.parse(raw.toString()) as Envelope));
    this.ws.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
    });
    this.ws.on('error', () => undefined);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      this.ws.once('error', reject);
    });
  }

  events(type?: string): Envelope[] {
    return this.received.filter((e) => (type ? e.type === type : !CONTROL.has(e.type)));
  }

  async waitFor(n: number, type?: string, timeoutMs = 10000): Promise<Envelope[]> {
    await waitUntil(() => this.events(type).length >= n, `${n} ${type ?? 'events'} received (have ${this.events(type).length})`, timeoutMs);
    return this.events(type);
  }

  get cursor(): string | undefined {
    return this.received.filter((e) => e.type !== 'subscribed' && e.type !== 'error').at(-1)?.cursor;
  }

  /** Open and live: the first heartbeat came. */
  async live(): Promise<this> {
    await this.opened;
    await this.waitFor(1, 'heartbeat');
    return this;
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.terminate();
    });
  }
}

const CONTROL = new Set(['heartbeat', 'resync_required', 'reconnect', 'closing', 'subscribed', 'unsubscribed', 'error']);

export const EVENT_TYPES_SEEN = [
  'message.created',
  'message.edited',
  'message.deleted',
  'reaction.added',
  'channel.member_joined',
  'channel.member_kicked',
  'channel.member_banned',
  'user.logged_out',
  'heartbeat',
  'resync_required',
  'reconnect',
  'closing',
];

/** An SSE client (the `eventsource` package) sending the JWT as a header. */
export class SseClient {
  readonly received: Envelope[] = [];
  readonly es: EventSource;

  constructor(url: string, token: string, o: { lastEventId?: string; query?: string } = {}) {
    this.es = new EventSource(`${url}/events${o.query ? `?${o.query}` : ''}`, {
      fetch: (input, init) =>
        fetch(input, {
          ...init,
          headers: {
            ...(init?.headers as Record<string, string>),
            authorization: `Bearer ${token}`,
            ...(o.lastEventId ? { 'last-event-id': o.lastEventId } : {}),
          },
        }),
    });
    for (const type of EVENT_TYPES_SEEN)
      this.es.addEventListener(type, (ev) => this.received.push(JSON.parse((ev as MessageEvent).data as string) as Envelope));
  }

  events(type?: string): Envelope[] {
    return this.received.filter((e) => (type ? e.type === type : !CONTROL.has(e.type)));
  }

  async waitFor(n: number, type?: string, timeoutMs = 10000): Promise<Envelope[]> {
    await waitUntil(() => this.events(type).length >= n, `${n} ${type ?? 'events'} over SSE (have ${this.events(type).length})`, timeoutMs);
    return this.events(type);
  }

  async live(): Promise<this> {
    await this.waitFor(1, 'heartbeat');
    return this;
  }

  close(): void {
    this.es.close();
  }
}

/** The texts of message events, in the order given. */
export const texts = (events: Array<{ data: unknown }>): string[] => events.map((e) => (e.data as { text: string }).text);

/** A channel message as message-service writes it in its stream. */
let nextId = 1;
export function messageData(channel: string, channelId: string, from: string, text: string) {
  return { id: nextId++, channel, channel_id: channelId, to: null, from, text, timestamp: new Date().toISOString(), reply_to: null };
}
export function privateData(from: string, to: string, text: string) {
  return { id: nextId++, channel: null, channel_id: null, to, from, text, timestamp: new Date().toISOString(), reply_to: null };
}
