import type { TokenState, TokenStateLookup } from '@canaduck/auth';
import { userTokenStateSchema } from '@canaduck/contracts';
import { ServiceUnavailableError } from '@canaduck/errors';
import type { ServiceClient } from '@canaduck/http-client';

/** Asks user-service for an account's token state (the revocation check of admin tokens while the user stream is down). */
export class TokenStateClient implements TokenStateLookup {
  constructor(private readonly users: ServiceClient) {}

  /** GET /internal/users/<pseudo>/token-state; undefined for a pseudo never registered, throws when user-service cannot answer. */
  async tokenState(pseudo: string): Promise<TokenState | undefined> {
    const res = await this.users.get<unknown>(`/internal/users/${encodeURIComponent(pseudo)}/token-state`);
    if (res.status === 404) return undefined;
    const body = res.status === 200 ? userTokenStateSchema.safeParse(res.data) : undefined;
    if (!body?.success) throw new ServiceUnavailableError(`user-service unavailable (answered ${res.status})`, 'dependency_failed');
    const { deleted, roles, revoked_before } = body.data;
    return { deleted, roles, revokedBefore: revoked_before === null ? null : Date.parse(revoked_before) };
  }
}
