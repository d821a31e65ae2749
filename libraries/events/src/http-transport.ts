import { ReplicaRing } from '@canaduck/http-client';
import { RunningSubscriptions, runSubscription } from './subscription-loop';
import type { EventLogger, ServiceTokenSource, EventTransport, FeedPage, SourceService, StreamEvent } from './types';

export interface HttpFeedTransportOptions {
  /** Base url of each source service (the feed is `<url>/internal/events`). */
  urls: Partial<Record<SourceService, string>>;
  /**
   * A service token for the feed's service (`user-service`, ...), with or without `Bearer `,
   * asked for each request so it can be renewed.
   */
  serviceTokens: ServiceTokenSource;
  logger: EventLogger;
  /** Long-poll wait per request (default 20 s). */
  waitSeconds?: number;
}

class FeedHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`event feed answered ${status}`);
  }
}

/** Embedded default: long-polls each service's GET /internal/events with a service token. */
export function httpFeedTransport(o: HttpFeedTransportOptions): EventTransport {
  const subscriptions = new RunningSubscriptions();
  const wait = o.waitSeconds ?? 20;
  return {
    kind: 'http',
    subscribe(s) {
      const urls = o.urls[s.service];
      if (!urls) throw new Error(`no feed url for the ${s.service} events`);
      // Replicas (a comma-separated list): any one serves the feed from the shared database; after
      // a failed poll the next poll goes to the next one.
      const replicas = ReplicaRing.ofUrls(urls);
      let replica = replicas.pick();
      const limit = s.batchSize ?? 500;
      const sub = runSubscription(
        s,
        {
          async fetch(after, signal) {
            const token = await o.serviceTokens.get(`${s.service}-service`);
            const url = `${replicas.items[replica]}/internal/events?after=${after}&limit=${limit}&wait=${wait}`;
            const res = await fetch(url, {
              headers: { authorization: token.startsWith('Bearer ') ? token : `Bearer ${token}` },
              signal: AbortSignal.any([signal, AbortSignal.timeout((wait + 10) * 1000)]),
            }).catch((err: unknown) => {
              replicas.refused(replica);
              replica = replicas.pick();
              throw err;
            });
            const body = (await res.json().catch(() => undefined)) as unknown;
            if (res.status === 410) {
              const first = Number((body as { first_available?: unknown } | undefined)?.first_available);
              return { resync: { service: s.service, firstAvailable: Number.isFinite(first) ? first : after + 1 } };
            }
            if (!res.ok) throw new FeedHttpError(res.status, body);
            const page = body as FeedPage;
            const events: StreamEvent[] = page.events.map((e) => ({ ...e, service: s.service }));
            return { events, caughtUp: events.length < limit };
          },
        },
        o.logger,
      );
      return subscriptions.add(sub);
    },
    close: () => subscriptions.stopAll(),
  };
}
