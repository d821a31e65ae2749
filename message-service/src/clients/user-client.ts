import type { TokenState, TokenStateLookup } from '@canaduck/auth';
import type { InternalUserAnswer } from '@canaduck/contracts';
import { fetchTokenState, requireUser } from '@canaduck/events';
import type { ServiceClient } from '@canaduck/http-client';

/**
 * user-service's `GET /internal/users/<pseudo>` (the recipient of a private message must exist)
 * and `GET /internal/users/<pseudo>/token-state` (admin tokens re-checked while the user stream is down).
 */
export class UserClient implements TokenStateLookup {
  constructor(private readonly http: ServiceClient) {}

  /** The user as user-service spells them; 404 when unknown or deleted. */
  require(pseudo: string, requestId?: string): Promise<InternalUserAnswer> {
    return requireUser(this.http, pseudo, requestId);
  }

  /** An account's token state; undefined for a pseudo never registered, throws when user-service cannot answer. */
  tokenState(pseudo: string): Promise<TokenState | undefined> {
    return fetchTokenState(this.http, pseudo);
  }

  close(): void {
    this.http.close();
  }
}
