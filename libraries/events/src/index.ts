export * from './types';
export * from './event-types';
export { outboxMigrations, copyLegacyEvents } from './migrations';
export { Outbox } from './outbox';
export { EventStore, type OutboxMeta, type PendingScrub } from './event-store';
export { EventBackbone, DEFAULT_RETENTION_MS, type EventBackboneOptions } from './event-backbone';
export { eventFeedRoutes, feedQuerySchema, feedPageSchema, streamEventSchema, type EventFeedRouteOptions } from './feed-routes';
export { NatsRelay, type NatsRelayOptions } from './nats-relay';
export { natsStreamName, natsSubjectPrefix, natsMsgId, natsScrubStreamName, natsScrubSubject } from './nats-names';
export { httpFeedTransport, type HttpFeedTransportOptions } from './http-transport';
export { natsTransport, type NatsTransportOptions } from './nats-transport';
export { createEventTransport, type CreateEventTransportOptions } from './create-transport';
export { CursorFollower, type CursorFollowerOptions } from './cursor-follower';
export { RevocationMap, rejectRevokedTokens, tokenIssuedAt, type RevocationMapOptions } from './revocation-map';
export {
  userStreamTransport,
  createTokenRevocation,
  REVOCATION_STALE_AFTER_MS,
  REVOCATION_RECHECK_CACHE_MS,
  type UserStreamTransportOptions,
  type CreateTokenRevocationOptions,
} from './token-revocation';
export { fetchTokenState, requireUser } from './user-service-calls';
