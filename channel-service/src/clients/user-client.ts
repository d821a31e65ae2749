import { NotFoundError, ServiceUnavailableError } from '@canaduck/errors';
import type { ServiceClient } from '@canaduck/http-client';

export interface KnownUser {
  /** The pseudo as registered (its display form). */
  pseudo: string;
}

/**
 * Asks user-service whether a user exists (structures.md 5: GET /internal/users/<pseudo>).
 * 404 becomes a NotFoundError; an unreachable or failing user-service a 503 (or 504 on timeout).
 */
export class UserClient {
  constructor(private readonly client: ServiceClient) {}

  async require(pseudo: string, requestId?: string): Promise<KnownUser> {
    const res = await this.client.get<{ pseudo?: unknown }>(`/internal/users/${encodeURIComponent(pseudo)}`, { requestId });
    if (res.status === 404) throw new NotFoundError(`user ${pseudo} not found`, 'user_not_found');
    if (res.status !== 200 || typeof res.data?.pseudo !== 'string') {
      // A 401/403 here means the two services disagree on the service secret: not the caller's fault.
      throw new ServiceUnavailableError(`user-service unavailable (answered ${res.status})`, 'dependency_failed');
    }
    return { pseudo: res.data.pseudo };
  }
}
