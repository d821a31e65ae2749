import type { TokenState, TokenStateLookup } from '@canaduck/auth';
import { fetchTokenState } from '@canaduck/events';
import type { ServiceClient } from '@canaduck/http-client';

/** Asks user-service for an account's token state (the revocation check of admin tokens while the user stream is down). */
export class TokenStateClient implements TokenStateLookup {
  constructor(private readonly users: ServiceClient) {}

  /** GET /internal/users/<pseudo>/token-state; undefined for a pseudo never registered, throws when user-service cannot answer. */
  tokenState(pseudo: string): Promise<TokenState | undefined> {
    return fetchTokenState(this.users, pseudo);
  }
}
