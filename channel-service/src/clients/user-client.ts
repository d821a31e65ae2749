import type { TokenState, TokenStateLookup } from '@canaduck/auth';
import { internalUserAnswerSchema, type InternalUserAnswer } from '@canaduck/contracts';
import { fetchTokenState } from '@canaduck/events';
import { NotFoundError, ServiceUnavailableError } from '@canaduck/errors';
import type { ServiceClient } from '@canaduck/http-client';

/** The part of user-service's `GET /internal/users/<pseudo>` answer channel-service reads. */
export type KnownUser = Pick<InternalUserAnswer, 'pseudo'>;

/**
 * Asks user-service whether a user exists (structures.md 5: GET /internal/users/<pseudo>).
 * 404 becomes a NotFoundError; an unreachable or failing user-service a 503 (or 504 on timeout).
 */
export class UserClient implements TokenStateLookup {
  constructor(private readonly http: ServiceClient) {}

  async require(pseudo: string, requestId?: string): Promise<KnownUser> {
    const res = await this.http.get<unknown>(`/internal/users/${encodeURIComponent(pseudo)}`, { requestId });
    if (res.status === 404) throw new NotFoundError(`user ${pseudo} not found`, 'user_not_found');
    const body = res.status === 200 ? internalUserAnswerSchema.safeParse(res.data) : undefined;
    if (!body?.success) {
      // A 401/403 here means the two services disagree on the service secret: not the caller's fault.
      throw new ServiceUnavailableError(`user-service unavailable (answered ${res.status})`, 'dependency_failed');
    }
    return { pseudo: body.data.pseudo };
  }

  /**
   * An account's token state (GET /internal/users/<pseudo>/token-state), asked for admin tokens
   * while the revocation map is stale; undefined for a pseudo never registered, throws when
   * user-service cannot answer.
   */
  tokenState(pseudo: string): Promise<TokenState | undefined> {
    return fetchTokenState(this.http, pseudo);
  }

  close(): void {
    this.http.close();
  }
}
