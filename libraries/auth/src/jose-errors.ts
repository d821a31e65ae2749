import { errors } from 'jose';
import { UnauthorizedError } from '@canaduck/errors';

/**
 * jose's typed errors as our 401s (codes token_expired and invalid_token, as before jose).
 * Anything else jose throws on a token (malformed, bad base64, wrong key type) is invalid_token.
 */
export function explainJoseError(err: unknown, what = 'token'): UnauthorizedError {
  if (err instanceof UnauthorizedError) return err;
  if (err instanceof errors.JWTExpired) return new UnauthorizedError(`${what} expired`, 'token_expired');
  if (err instanceof errors.JWSSignatureVerificationFailed) return new UnauthorizedError(`invalid ${what} signature`, 'invalid_token');
  if (err instanceof errors.JOSEAlgNotAllowed) return new UnauthorizedError(`${what} algorithm not allowed`, 'invalid_token');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return new UnauthorizedError(`${what} audience invalid`, 'invalid_token');
    if (err.claim === 'iss') return new UnauthorizedError(`${what} issuer invalid`, 'invalid_token');
    if (err.claim === 'exp') return new UnauthorizedError(`${what} has no expiry`, 'invalid_token');
    return new UnauthorizedError(`${what} claim "${err.claim}" invalid`, 'invalid_token');
  }
  return new UnauthorizedError(`invalid ${what}`, 'invalid_token');
}
