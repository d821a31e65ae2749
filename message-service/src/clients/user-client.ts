import type { TokenState, TokenStateLookup } from '@canaduck/auth';
import { userTokenStateSchema } from '@canaduck/contracts';
import { NotFoundError, ServiceUnavailableError } from '@canaduck/errors';
import type { ServiceClient } from '@canaduck/http-client';
import { internalUserAnswerSchema, type InternalUserAnswer } from '@canaduck/contracts';

/**
 * user-service's `GET /internal/users/<pseudo>` (the recipient of a private message must exist)
 * and `GET /internal/users/<pseudo>/token-state` (admin tokens re-checked while the user stream is down).
 */
export class UserClient implements TokenStateLookup {
  constructor(private readonly http: ServiceClient) {}

  /** The user as user-service spells them; 404 when unknown or deleted. */
  async require(pseudo: string, requestId?: string): Promise<InternalUserAnswer> {
    const res = await this.http.get<unknown>(`/internal/users/${encodeURIComponent(pseudo)}`, { requestId });
    if (res.status === 404) throw new NotFoundError(`user ${pseudo} not found`, 'user_not_found');
    const body = res.status === 200 ? internalUserAnswerSchema.safeParse(res.data) : undefined;
    if (!body?.success) throw new ServiceUnavailableError(`user-service failed (status ${res.status})`, 'dependency_failed');
    return body.data;
  }

  /** An account's token state; undefined for a pseudo never registered, throws when user-service cannot answer. */
  async tokenState(pseudo: string): Promise<TokenState | undefined> {
    const res = await this.http.get<unknown>(`/internal/users/${encodeURIComponent(pseudo)}/token-state`);
    if (res.status === 404) return undefined;
    const body = res.status === 200 ? userTokenStateSchema.safeParse(res.data) : undefined;
    if (!body?.success) throw new ServiceUnavailableError(`user-service unavailable (answered ${res.status})`, 'dependency_failed');
    const { deleted, roles, revoked_before } = body.data;
    return { deleted, roles, revokedBefore: revoked_before === null ? null : Date.parse(revoked_before) };
  }

  close(): void {
    this.http.close();
  }
}
