// Who may call each internal route (structures.md section 5, "Internal callers"): the callee's
// requireService checks the caller's `iss` against these lists, the security suite tries every
// other service against each route, and a test keeps structures.md's table equal to this one.

/** Every service that signs service tokens. */
export const SERVICE_NAMES = [
  'user-service',
  'message-service',
  'channel-service',
  'gateway-service',
  'stats-service',
  'irc-service',
  'realtime-service',
] as const;

export type ServiceName = (typeof SERVICE_NAMES)[number];

/** The readers of the user stream: every service's revocation map (user-service reads its own). */
const USER_STREAM_READERS: ServiceName[] = [
  'user-service',
  'gateway-service',
  'channel-service',
  'message-service',
  'stats-service',
  'irc-service',
  'realtime-service',
];

/** Callee -> `METHOD /path` (express pattern) -> the services allowed to call it. */
export const INTERNAL_CALLERS = {
  'user-service': {
    'GET /internal/users/:pseudo': ['channel-service', 'message-service'],
    'GET /internal/users/:pseudo/token-state': ['gateway-service', 'channel-service', 'message-service', 'stats-service'],
    'POST /internal/activity': ['gateway-service'],
    'POST /internal/guests': ['irc-service'],
    'DELETE /internal/guests/:pseudo': ['irc-service'],
    'POST /internal/guests/leases': ['irc-service'],
    'POST /internal/guests/expired': ['irc-service'],
    'GET /internal/events': USER_STREAM_READERS,
  },
  'channel-service': {
    'GET /internal/channels/:name/access/:pseudo': ['message-service', 'realtime-service'],
    'POST /internal/access/batch': ['realtime-service'],
    'GET /internal/users/:pseudo/channels': ['user-service', 'realtime-service'],
    'GET /internal/users/:pseudo/memberships': ['irc-service'],
    'GET /internal/channels': ['stats-service'],
    'GET /internal/events': ['message-service', 'irc-service', 'realtime-service'],
  },
  // Its stream carries private-message text: never the gateway, never user- or channel-service.
  'message-service': {
    'GET /internal/events': ['stats-service', 'irc-service', 'realtime-service'],
  },
} as const satisfies Record<string, Record<string, readonly ServiceName[]>>;

export type InternalCallee = keyof typeof INTERNAL_CALLERS;

/** The services allowed to call `route` (`METHOD /path`) of `callee`. */
export function internalCallers<C extends InternalCallee>(callee: C, route: keyof (typeof INTERNAL_CALLERS)[C]): readonly ServiceName[] {
  return INTERNAL_CALLERS[callee][route] as readonly ServiceName[];
}
