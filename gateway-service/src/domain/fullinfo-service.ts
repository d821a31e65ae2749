import { AppError, NotFoundError, ServiceUnavailableError } from '@canaduck/errors';
import type { ServiceResponse } from '@canaduck/http-client';
import type { Clients } from '../clients';

export interface FullInfoQuery {
  user: string;
  channel: string;
}

/** Who asks: their own Authorization header goes to every service, so each applies its own rules. */
export interface CallerContext {
  authorization: string;
  requestId?: string;
}

export interface FullInfo {
  user: unknown;
  channel: unknown;
  last_messages: unknown[] | null;
  /** Present only when some part is missing: part -> why. */
  errors?: Partial<Record<'user' | 'channel' | 'last_messages', string>>;
}

type Part<T> = { ok: true; value: T } | { ok: false; status: number; error: string };

function errorText(data: unknown, fallback: string): string {
  const e = (data as { error?: unknown } | null)?.error;
  return typeof e === 'string' && e.length > 0 ? e : fallback;
}

/** One call: a 2xx is the value, a 4xx is reported with the service's own words, a failure by its error. */
async function part<T>(call: Promise<ServiceResponse<unknown>>, pick: (data: unknown) => T, what: string): Promise<Part<T>> {
  try {
    const res = await call;
    if (res.status >= 200 && res.status < 300) return { ok: true, value: pick(res.data) };
    const fallback =
      res.status === 404 ? `${what} not found` : res.status === 403 ? `${what} not accessible` : `${what} refused (status ${res.status})`;
    return { ok: false, status: res.status, error: errorText(res.data, fallback) };
  } catch (err) {
    if (err instanceof AppError) return { ok: false, status: err.status, error: err.message };
    return { ok: false, status: 503, error: `${what} unavailable` };
  }
}

/**
 * `/fullinfo`: whois, channel config and the channel's last messages, asked in parallel
 * with the caller's token. A part that fails is null and explained in `errors`; the rest
 * still comes back. When both the user and the channel are unknown there is nothing to
 * show (404); when no service could be reached at all, 503.
 */
export async function getFullInfo(clients: Clients, q: FullInfoQuery, caller: CallerContext, messagesLimit: number): Promise<FullInfo> {
  const call = { authorization: caller.authorization, requestId: caller.requestId };
  const [user, channel, messages] = await Promise.all([
    part(clients['user-service'].get(`/whois/${encodeURIComponent(q.user)}`, call), (d) => d, 'user'),
    part(clients['channel-service'].get(`/channel/${encodeURIComponent(q.channel)}/config`, call), (d) => d, 'channel'),
    part(
      clients['message-service'].get('/msg', { ...call, query: { channel: q.channel, limit: messagesLimit } }),
      (d) => {
        const list = (d as { messages?: unknown } | null)?.messages;
        return Array.isArray(list) ? list : [];
      },
      'messages',
    ),
  ]);

  if (!user.ok && !channel.ok && user.status === 404 && channel.status === 404) {
    throw new NotFoundError(`user ${q.user} and channel ${q.channel} not found`, 'not_found');
  }
  if (!user.ok && !channel.ok && !messages.ok && user.status >= 500 && channel.status >= 500 && messages.status >= 500) {
    throw new ServiceUnavailableError('user-service, channel-service and message-service unavailable', 'dependency_unavailable');
  }

  const result: FullInfo = {
    user: user.ok ? user.value : null,
    channel: channel.ok ? channel.value : null,
    last_messages: messages.ok ? messages.value : null,
  };
  const errors: NonNullable<FullInfo['errors']> = {};
  if (!user.ok) errors.user = user.error;
  if (!channel.ok) errors.channel = channel.error;
  if (!messages.ok) errors.last_messages = messages.error;
  if (Object.keys(errors).length > 0) result.errors = errors;
  return result;
}
