import type { EventSubscription, EventTransport, SourceService, StreamEvent, SubscribeOptions } from '@canaduck/events';
import type { Logger } from '@canaduck/logging';
import type { MessageClient } from '../clients/message-client';

/**
 * An EventTransport over message-service's GET /internal/events read by polling: for a feed
 * without long-poll (`wait`), where @canaduck/events' HTTP transport would ask again at once.
 * Chosen with IRC_EVENT_TRANSPORT=poll; the default is createEventTransport (NATS or long-poll).
 */
export function pollingMessageTransport(o: { messages: MessageClient; logger: Logger; pollMs: number }): EventTransport {
  const subs = new Set<EventSubscription>();
  return {
    kind: 'http',
    subscribe(s: SubscribeOptions): EventSubscription {
      if (s.service !== 'message') throw new Error(`the polling transport reads the message feed only, not ${s.service}`);
      let after = s.after;
      let stopped = false;
      let timer: NodeJS.Timeout | undefined;
      let running: Promise<void> | undefined;
      const limit = s.batchSize ?? 500;
      const poll = async () => {
        let full = false;
        try {
          const r = await o.messages.events(after, limit);
          if (r.status === 200) {
            const fresh: StreamEvent[] = r.data.events.filter((e) => e.seq > after).map((e) => ({ ...e, service: 'message' as const }));
            if (fresh.length) await s.handler(fresh);
            after = Math.max(after, r.data.last_seq);
            full = r.data.events.length >= limit;
          }
        } catch (err) {
          o.logger.warn({ err: (err as Error).message }, 'message feed unreachable');
        }
        if (!stopped) timer = setTimeout(() => (running = poll()), full ? 0 : o.pollMs);
      };
      running = poll();
      const sub = {
        async stop() {
          stopped = true;
          clearTimeout(timer);
          await running;
          subs.delete(sub);
        },
      };
      subs.add(sub);
      return sub;
    },
    async close() {
      await Promise.all([...subs].map((x) => x.stop()));
    },
  };
}

/** One transport per stream: `special` ones for their service, `fallback` for the others. */
export function routedTransport(fallback: EventTransport, special: Partial<Record<SourceService, EventTransport>>): EventTransport {
  return {
    kind: fallback.kind,
    subscribe: (s) => (special[s.service] ?? fallback).subscribe(s),
    async close() {
      await Promise.all([fallback, ...Object.values(special)].map((t) => t.close()));
    },
  };
}
