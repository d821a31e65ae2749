import { createPrivateKey, createPublicKey, sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import jwt, { type JwtPayload } from 'jsonwebtoken';

// jsonwebtoken 9 has no EdDSA: Ed25519 tokens are signed and checked here with node:crypto,
// failing with jsonwebtoken's own error classes so that callers explain them the same way.

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

export interface EdDsaSignOptions {
  expiresInSeconds: number;
  issuer: string;
  audience: string;
  subject: string;
}

export function signEdDsa(claims: Record<string, unknown>, privateKeyPem: string, o: EdDsaSignOptions): string {
  const iat = Math.floor(Date.now() / 1000);
  const input = `${b64url({ alg: 'EdDSA', typ: 'JWT' })}.${b64url({ ...claims, iat, exp: iat + o.expiresInSeconds, aud: o.audience, iss: o.issuer, sub: o.subject })}`;
  const signature = cryptoSign(null, Buffer.from(input), createPrivateKey(privateKeyPem));
  return `${input}.${signature.toString('base64url')}`;
}

function decodePart(part: string): Record<string, unknown> {
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new jwt.JsonWebTokenError('jwt malformed');
}

/** Verifies an EdDSA token: only `alg: EdDSA`, a valid Ed25519 signature, exp/nbf with tolerance, iss, aud. */
export function verifyEdDsa(
  token: string,
  publicKeyPem: string,
  o: { issuer: string; audience: string; clockTolerance: number },
): JwtPayload {
  const parts = token.split('.');
  if (parts.length !== 3) throw new jwt.JsonWebTokenError('jwt malformed');
  const header = decodePart(parts[0]);
  if (header.alg !== 'EdDSA') throw new jwt.JsonWebTokenError('invalid algorithm');
  const payload = decodePart(parts[1]) as JwtPayload;
  let valid = false;
  try {
    valid = cryptoVerify(null, Buffer.from(`${parts[0]}.${parts[1]}`), createPublicKey(publicKeyPem), Buffer.from(parts[2], 'base64url'));
  } catch {
    valid = false;
  }
  if (!valid) throw new jwt.JsonWebTokenError('invalid signature');
  const now = Math.floor(Date.now() / 1000);
  if (typeof payload.nbf === 'number' && now < payload.nbf - o.clockTolerance)
    throw new jwt.NotBeforeError('jwt not active', new Date(payload.nbf * 1000));
  if (typeof payload.exp === 'number' && now >= payload.exp + o.clockTolerance)
    throw new jwt.TokenExpiredError('jwt expired', new Date(payload.exp * 1000));
  if (payload.iss !== o.issuer) throw new jwt.JsonWebTokenError(`jwt issuer invalid. expected: ${o.issuer}`);
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!audiences.includes(o.audience)) throw new jwt.JsonWebTokenError(`jwt audience invalid. expected: ${o.audience}`);
  return payload;
}
