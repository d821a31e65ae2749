import { UnauthorizedError } from '@canaduck/errors';

/** Extracts the token of `Authorization: Bearer <token>`; a malformed header is a 401. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined || header === '') return undefined;
  const match = /^Bearer\s+([A-Za-z0-9\-_=]+\.[A-Za-z0-9\-_=]*\.[A-Za-z0-9\-_.+/=]*)\s*$/i.exec(header);
  if (!match) throw new UnauthorizedError('malformed Authorization header, expected "Bearer <token>"', 'invalid_token');
  return match[1];
}
