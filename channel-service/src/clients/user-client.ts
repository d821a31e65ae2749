import type { TokenState, TokenStateLookup } from '@canaduck/auth';
import type { InternalUserAnswer } from '@canaduck/contracts';
import { fetchTokenState, requireUser } from '@canaduck/events';
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
    const user = await requireUser(this.http, pseudo, requestId);
    return { pseudo: user.pseudo };
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
