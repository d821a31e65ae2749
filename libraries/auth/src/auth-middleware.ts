import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ForbiddenError, UnauthorizedError } from '@canaduck/errors';
import { bearerToken } from './bearer';
import { admitToken } from './revocation';
import type { ServiceKeys } from './service-keys';
import { verifyServiceToken } from './service-tokens';
import { tokenVerifierFor, type VerifiedToken } from './token-verifier';
import type { AuthUser, TokenSettings } from './tokens';

export { bearerToken };

declare module 'express-serve-static-core' {
  interface Request {
    /** The caller, set when a valid user token came with the request. */
    auth?: AuthUser;
    /** The calling service, set by requireService. */
    callerService?: string;
  }
}

/**
 * Reads the user token when there is one. A present but invalid token is always a 401,
 * even on routes that allow anonymous callers: a client should learn its token is bad.
 * Verified tokens are remembered until they expire (TokenVerifier), one cache per settings
 * object: a client sends the same token every time, so its signature is checked once.
 */
export function authenticate(settings: TokenSettings): RequestHandler {
  const verifier = tokenVerifierFor(settings);
  const revocation = settings.revocation;
  const admit = (req: Request, next: NextFunction, verified: VerifiedToken | undefined): void | Promise<void> => {
    if (verified === undefined) return next();
    const admitted = admitToken(revocation, verified.user, verified.issuedAt);
    if (!(admitted instanceof Promise)) {
      req.auth = admitted;
      return next();
    }
    return admitted.then((user) => {
      req.auth = user;
      next();
    });
  };
  return (req: Request, _res: Response, next: NextFunction) => {
    // A token seen before is answered from the cache without waiting (the hot path).
    const hit = verifier.cached(req.headers.authorization);
    if (hit) return admit(req, next, hit);
    // Express 5 forwards a rejected promise to the error middleware.
    return verifier.verifyToken(req.headers.authorization).then((verified) => admit(req, next, verified));
  };
}

export function requireAuth(): RequestHandler {
  return (req, _res, next) => {
    if (!req.auth) throw new UnauthorizedError('authentication required: send "Authorization: Bearer <token>"', 'token_missing');
    next();
  };
}

export function hasRole(user: AuthUser | undefined, role: string): boolean {
  return !!user && user.roles.includes(role);
}

export function requireRole(role: string): RequestHandler {
  return (req, _res, next) => {
    if (!req.auth) throw new UnauthorizedError('authentication required: send "Authorization: Bearer <token>"', 'token_missing');
    if (!hasRole(req.auth, role)) throw new ForbiddenError(`the ${role} role is required`, 'role_required');
    next();
  };
}

/**
 * Internal routes: only the named services may call them. No token or a bad one (wrong key,
 * expired, addressed to another service, a user token): 401. A valid token of a service that is
 * not in `allowed`: 403 service_not_allowed.
 */
export function requireService(keys: ServiceKeys, allowed: readonly string[]): RequestHandler {
  return async (req, _res, next) => {
    const token = bearerToken(req.headers.authorization);
    if (!token) throw new UnauthorizedError('service token required', 'token_missing');
    const caller = await verifyServiceToken(token, keys);
    if (!allowed.includes(caller)) throw new ForbiddenError(`${caller} may not call this route`, 'service_not_allowed');
    req.callerService = caller;
    next();
  };
}
