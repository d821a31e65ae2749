import { createHash, createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { TokenSettings } from '@canaduck/auth';

export interface Jwks {
  keys: Array<JsonWebKey & { kid: string; alg: string; use: 'sig' }>;
}

function isAsymmetric(tokens: TokenSettings): boolean {
  return (tokens.algorithm ?? 'HS256') !== 'HS256';
}

function publicKeyObject(tokens: TokenSettings): KeyObject {
  if (tokens.publicKey) return createPublicKey(tokens.publicKey);
  return createPublicKey(createPrivateKey(tokens.privateKey!));
}

/**
 * In asymmetric mode user-service signs with the private key; it verifies its own
 * tokens with the public key, derived from the private one when JWT_PUBLIC_KEY is unset.
 * Fails at start-up, not at the first login, when the key is missing or unusable.
 */
export function completeTokenSettings(tokens: TokenSettings): TokenSettings {
  if (!isAsymmetric(tokens)) return tokens;
  if (!tokens.privateKey) throw new Error(`JWT_PRIVATE_KEY is required with JWT_ALGORITHM=${tokens.algorithm}`);
  const publicKey = publicKeyObject(tokens).export({ format: 'pem', type: 'spki' }).toString();
  return { ...tokens, publicKey };
}

/** RFC 7638 thumbprint: SHA-256 of the required members in lexicographic order. */
function thumbprint(jwk: JsonWebKey): string {
  const members = jwk.kty === 'RSA' ? { e: jwk.e, kty: jwk.kty, n: jwk.n } : { crv: jwk.crv, kty: jwk.kty, x: jwk.x };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

/** The public key set of `/.well-known/jwks.json`; null with HS256 (a shared secret is never published). */
export function buildJwks(tokens: TokenSettings): Jwks | null {
  if (!isAsymmetric(tokens)) return null;
  const jwk = publicKeyObject(tokens).export({ format: 'jwk' });
  return { keys: [{ ...jwk, kid: thumbprint(jwk), alg: tokens.algorithm!, use: 'sig' }] };
}
