// The realtime-service test kit, one import for the suites: the source streams (support/streams),
// the services run as they are deployed (support/services), the stream clients (support/clients)
// and the world a suite runs against (support/world).
export { freePort, uniqueName, userToken, waitUntil } from '@canaduck/testing';
export { listen, logger, NATS_URL, REDIS_URL, SourceStreams } from './support/streams';
export {
  channelCall,
  channelIdOf,
  ChildService,
  commonEnv,
  defaultSettings,
  realtimeEnv,
  ROOT,
  startRealtime,
  startService,
  type Realtime,
} from './support/services';
export { EVENT_TYPES_SEEN, messageData, privateData, SseClient, texts, WsClient } from './support/clients';
export { useWorld, World, type Channel, type Closable, type Transport, type WorldOptions } from './support/world';
