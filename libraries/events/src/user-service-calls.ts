import type { TokenState } from '@canaduck/auth';
import { internalUserAnswerSchema, userTokenStateSchema, type InternalUserAnswer } from '@canaduck/contracts';
import { NotFoundError, ServiceUnavailableError } from '@canaduck/errors';
import type { ServiceClient } from '@canaduck/http-client';

// user-service's internal reads as every caller makes them, over the caller's client to user-service.
// A 401/403 means the two services disagree on the service secret: not the end user's fault, so a 503.

/**
 * `GET /internal/users/<pseudo>/token-state`: the `tokenState` of every service's TokenStateLookup.
 * Undefined for a pseudo never registered; throws a 503 `dependency_failed` when user-service cannot answer.
 */
export async function fetchTokenState(http: Pick<ServiceClient, 'get'>, pseudo: string): Promise<TokenState | undefined> {
  const res = await http.get<unknown>(`/internal/users/${encodeURIComponent(pseudo)}/token-state`);
  if (res.status === 404) return undefined;
  const body = res.status === 200 ? userTokenStateSchema.safeParse(res.data) : undefined;
  if (!body?.success) throw new ServiceUnavailableError(`user-service unavailable (answered ${res.status})`, 'dependency_failed');
  const { deleted, roles, revoked_before } = body.data;
  return { deleted, roles, revokedBefore: revoked_before === null ? null : Date.parse(revoked_before) };
}

/**
 * `GET /internal/users/<pseudo>`: the user as user-service spells them. A 404 `user_not_found`
 * when unknown or deleted; a 503 `dependency_failed` (or 504 on timeout) when user-service cannot answer.
 */
export async function requireUser(http: Pick<ServiceClient, 'get'>, pseudo: string, requestId?: string): Promise<InternalUserAnswer> {
  const res = await http.get<unknown>(`/internal/users/${encodeURIComponent(pseudo)}`, { requestId });
  if (res.status === 404) throw new NotFoundError(`user ${pseudo} not found`, 'user_not_found');
  const body = res.status === 200 ? internalUserAnswerSchema.safeParse(res.data) : undefined;
  if (!body?.success) throw new ServiceUnavailableError(`user-service unavailable (answered ${res.status})`, 'dependency_failed');
  return body.data;
}
