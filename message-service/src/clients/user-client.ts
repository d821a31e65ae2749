import { NotFoundError, ServiceUnavailableError } from '@canaduck/errors';
import type { ServiceClient } from '@canaduck/http-client';
import { internalUserAnswerSchema, type InternalUserAnswer } from '@canaduck/contracts';

/** user-service's `GET /internal/users/<pseudo>`: the recipient of a private message must exist. */
export class UserClient {
  constructor(private readonly http: ServiceClient) {}

  /** The user as user-service spells them; 404 when unknown or deleted. */
  async require(pseudo: string, requestId?: string): Promise<InternalUserAnswer> {
    const res = await this.http.get<unknown>(`/internal/users/${encodeURIComponent(pseudo)}`, { requestId });
    if (res.status === 404) throw new NotFoundError(`user ${pseudo} not found`, 'user_not_found');
    const body = res.status === 200 ? internalUserAnswerSchema.safeParse(res.data) : undefined;
    if (!body?.success) throw new ServiceUnavailableError(`user-service failed (status ${res.status})`, 'dependency_failed');
    return body.data;
  }

  close(): void {
    this.http.close();
  }
}
