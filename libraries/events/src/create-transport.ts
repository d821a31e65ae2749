import { httpFeedTransport } from './http-transport';
import { natsTransport } from './nats-transport';
import type { EventLogger, EventTransport, ServiceTokenSource, SourceService } from './types';

export interface CreateEventTransportOptions {
  /** NATS_URL: when set, JetStream; otherwise the services' HTTP feeds. */
  natsUrl?: string;
  natsNamespace?: string;
  /** Base url of each source service (HTTP transport). */
  urls: Partial<Record<SourceService, string>>;
  serviceTokens: ServiceTokenSource;
  logger: EventLogger;
  waitSeconds?: number;
}

/** Picks NATS JetStream when a url is given, else long-polls the HTTP feeds. */
export function createEventTransport(o: CreateEventTransportOptions): EventTransport {
  if (o.natsUrl) return natsTransport({ url: o.natsUrl, namespace: o.natsNamespace, logger: o.logger });
  return httpFeedTransport({ urls: o.urls, serviceTokens: o.serviceTokens, logger: o.logger, waitSeconds: o.waitSeconds });
}
