import { decodeJwt, jwtVerify, SignJWT } from 'jose';
import { LRUCache } from 'lru-cache';
import { UnauthorizedError } from '@canaduck/errors';
import { explainJoseError } from './jose-errors';
import type { ServiceKeys } from './service-keys';

/** Default life of a service token: short, the minter renews it 15 s before it ends. */
export const SERVICE_TOKEN_TTL_SECONDS = 60;

/**
 * Signs a token for one internal call target: EdDSA with the caller's own key, `iss` the caller,
 * `aud` the callee. A user token (aud `canaduck-irc`) never passes as one, nor the reverse.
 */
export async function signServiceToken(keys: ServiceKeys, callee: string, expiresInSeconds = SERVICE_TOKEN_TTL_SECONDS): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' })
    .setIssuedAt(iat)
    .setExpirationTime(iat + expiresInSeconds)
    .setIssuer(keys.service)
    .setAudience(callee)
    .setSubject(`service:${keys.service}`)
    .sign(keys.privateKey);
}

interface Verified {
  caller: string;
  expiresAtMs: number;
}

// A caller reuses its token for 45 s: one signature check per token, not per internal call.
const verifiedTokens = new WeakMap<ServiceKeys, LRUCache<string, Verified>>();

function issuerOf(token: string): string {
  let iss: unknown;
  try {
    iss = decodeJwt(token).iss;
  } catch (err) {
    throw explainJoseError(err, 'service token');
  }
  if (typeof iss !== 'string') throw new UnauthorizedError('service token has no issuer', 'invalid_token');
  return iss;
}

/**
 * Verifies a service token addressed to this service (`aud` = keys.service) with the public key of
 * the service it names as `iss`; answers the calling service's name. Every failure is a 401.
 */
export async function verifyServiceToken(token: string, keys: ServiceKeys): Promise<string> {
  let cache = verifiedTokens.get(keys);
  if (!cache) verifiedTokens.set(keys, (cache = new LRUCache<string, Verified>({ max: 256 })));
  const hit = cache.get(token);
  if (hit && Date.now() < hit.expiresAtMs) return hit.caller;
  const caller = issuerOf(token);
  const key = keys.publicKeyOf(caller);
  if (!key) throw new UnauthorizedError('service token from an unknown service', 'invalid_token');
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ['EdDSA'],
      issuer: caller,
      audience: keys.service,
      clockTolerance: 5,
      // Date.now(), the clock the verifier's cache and the tests' fake clocks use too.
      currentDate: new Date(Date.now()),
      requiredClaims: ['exp'],
    });
    cache.set(token, { caller, expiresAtMs: (payload.exp as number) * 1000 });
    return caller;
  } catch (err) {
    throw explainJoseError(err, 'service token');
  }
}

/**
 * Mints this service's tokens, one per callee, and reuses each until 15 s before it expires:
 * signing on every call is wasted CPU.
 */
export class ServiceTokenMinter {
  private readonly tokens = new Map<string, { token: Promise<string>; renewAt: number }>();

  constructor(
    readonly keys: ServiceKeys,
    private readonly ttlSeconds = SERVICE_TOKEN_TTL_SECONDS,
  ) {}

  /** A valid token for calls to `callee` (its service name). */
  get(callee: string): Promise<string> {
    const now = Date.now();
    const cached = this.tokens.get(callee);
    if (cached && now < cached.renewAt) return cached.token;
    const token = signServiceToken(this.keys, callee, this.ttlSeconds);
    this.tokens.set(callee, { token, renewAt: now + (this.ttlSeconds - 15) * 1000 });
    // A failed signature (a key problem) is not kept: the next call tries again.
    token.catch(() => {
      if (this.tokens.get(callee)?.token === token) this.tokens.delete(callee);
    });
    return token;
  }
}
