/**
 * The routing table of structures.md section 6: which service answers a path, and
 * what the gateway checks before calling it. Matching is on the first path segment
 * (a table lookup, no regex on the hot path).
 */
/** The services the gateway also calls itself (/fullinfo, activity, /ready, /docs). */
export type UpstreamName = 'user-service' | 'message-service' | 'channel-service' | 'stats-service';
/** Every service a route leads to: realtime-service only holds clients' streams, it is never composed (only its document is read, for /docs). */
export type ProxiedName = UpstreamName | 'realtime-service';
export type Target = ProxiedName | 'gateway';

export const UPSTREAMS: readonly UpstreamName[] = ['user-service', 'message-service', 'channel-service', 'stats-service'];
export const PROXIED: readonly ProxiedName[] = [...UPSTREAMS, 'realtime-service'];

/** `exact`: `/login` only; `sub`: `/whois/<x>` only; `both`: `/msg` and `/msg/<x>`. */
type Shape = 'exact' | 'sub' | 'both';

interface Entry {
  target: Target;
  shape: Shape;
}

const TABLE = new Map<string, Entry>([
  ['register', { target: 'user-service', shape: 'exact' }],
  ['login', { target: 'user-service', shape: 'exact' }],
  ['logout', { target: 'user-service', shape: 'exact' }],
  ['ison', { target: 'user-service', shape: 'exact' }],
  ['whois', { target: 'user-service', shape: 'sub' }],
  ['seen', { target: 'user-service', shape: 'sub' }],
  ['user', { target: 'user-service', shape: 'sub' }],
  ['make-admin', { target: 'user-service', shape: 'sub' }],
  ['msg', { target: 'message-service', shape: 'both' }],
  ['channel', { target: 'channel-service', shape: 'both' }],
  ['stats', { target: 'stats-service', shape: 'sub' }],
  ['events', { target: 'realtime-service', shape: 'both' }],
  ['ws', { target: 'realtime-service', shape: 'exact' }],
  ['fullinfo', { target: 'gateway', shape: 'exact' }],
  ['openapi.json', { target: 'gateway', shape: 'exact' }],
  ['health', { target: 'gateway', shape: 'exact' }],
  ['ready', { target: 'gateway', shape: 'exact' }],
  ['docs', { target: 'gateway', shape: 'both' }],
]);

export interface Route {
  target: Target;
  /** First path segment (`msg`, `user`, ...). */
  segment: string;
  /** The path without its query string. */
  path: string;
}

/** The path part of a request target; anything not in origin form (`*`, `http://...`) has none. */
export function pathOf(url: string): string | null {
  if (url.charCodeAt(0) !== 47 /* / */) return null;
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** `.` and `..` segments, raw or percent-encoded: never passed on, whatever the upstream would make of them. */
function hasDotSegment(path: string): boolean {
  if (!path.includes('/.') && !/%2e/i.test(path)) return false;
  return path.split('/').some((s) => {
    const d = s.replace(/%2e/gi, '.');
    return d === '.' || d === '..';
  });
}

/** The route for a path, or null: unknown paths and `/internal/...` are never routed. */
export function resolveRoute(path: string | null): Route | null {
  if (path === null || path.length < 2) return null;
  const end = path.indexOf('/', 1);
  const segment = end === -1 ? path.slice(1) : path.slice(1, end);
  // `/msg/` counts as `/msg`: Express upstreams treat the trailing slash the same way.
  const hasRest = end !== -1 && end < path.length - 1;
  if (path.includes('/.') || path.includes('%')) {
    if (hasDotSegment(path)) return null;
  }
  if (segment === '.well-known') {
    return path === '/.well-known/jwks.json' ? { target: 'user-service', segment, path } : null;
  }
  const entry = TABLE.get(segment);
  if (!entry) return null;
  if (entry.shape === 'exact' && hasRest) return null;
  if (entry.shape === 'sub' && !hasRest) return null;
  return { target: entry.target, segment, path };
}

/**
 * `skip`: the token is not looked at (login, register); `ticket`: not looked at either, the
 * realtime service verifies the `?ticket=` instead; `optional`: checked when sent.
 */
export type AuthNeed = 'skip' | 'ticket' | 'optional' | 'user' | 'admin';

/**
 * A realtime stream opened with `?ticket=`: browsers' EventSource and WebSocket cannot set an
 * Authorization header, so they carry a single-use ticket that only realtime-service can check.
 */
function carriesTicket(url: string): boolean {
  const q = url.indexOf('?');
  return q !== -1 && /(?:^|&)ticket=/.test(url.slice(q + 1));
}

function isRead(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}

/**
 * Section 6: every write except POST /register and POST /login needs a token, so do every
 * /msg read and /fullinfo; writes to /user/roles/... and /make-admin/... need the admin role.
 * `/events`, `/events/*` and `/ws` always need a user (section 7). `url`: the request target,
 * whose query may carry a realtime ticket.
 */
export function authNeed(method: string, route: Route, url = ''): AuthNeed {
  const segment = route.segment;
  // Streams need a user: a token checked here, or a ticket (reads only) checked by realtime-service.
  if (route.target === 'realtime-service') return (method === 'GET' || method === 'HEAD') && carriesTicket(url) ? 'ticket' : 'user';
  if (isRead(method)) {
    return segment === 'msg' || segment === 'fullinfo' ? 'user' : 'optional';
  }
  // A client that still sends an old token must be able to log in again.
  if (method === 'POST' && (segment === 'login' || segment === 'register')) return 'skip';
  if (segment === 'make-admin') return 'admin';
  if (segment === 'user' && (route.path === '/user/roles' || route.path.startsWith('/user/roles/'))) return 'admin';
  return 'user';
}
