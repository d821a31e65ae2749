import { NotFoundError, ServiceUnavailableError } from '@canaduck/errors';
import type { ServiceClient } from '@canaduck/http-client';

export interface InternalUser {
  pseudo: string;
  roles: string[];
  status: string;
}

/** user-service's `GET /internal/users/<pseudo>`: the recipient of a private message must exist. */
export class UserClient {
  constructor(private readonly http: ServiceClient) {}

  /** The user as user-service spells them; 404 when unknown or deleted. */
  async require(pseudo: string, requestId?: string): Promise<InternalUser> {
    const res = await this.http.get<InternalUser>(`/internal/users/${encodeURIComponent(pseudo)}`, { requestId });
    if (res.status === 404) throw new NotFoundError(`user ${pseudo} not found`, 'user_not_found');
    if (res.status !== 200 || typeof res.data?.pseudo !== 'string') {
      throw new ServiceUnavailableError(`user-service failed (status ${res.status})`, 'dependency_failed');
    }
    return res.data;
  }

  close(): void {
    this.http.close();
  }
}
