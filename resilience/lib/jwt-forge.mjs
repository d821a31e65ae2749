// Hand-made JWTs for the attack suite: every way a token can be wrong, built from
// raw bytes (node:crypto) so that no library refuses to produce them.
import { createHmac, createSign, generateKeyPairSync, randomBytes } from 'node:crypto';

const b64 = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

export function hmacToken(header, payload, key, hash = 'sha256') {
  const data = `${b64(header)}.${b64(payload)}`;
  return `${data}.${createHmac(hash, key).update(data).digest('base64url')}`;
}

export function rsaToken(header, payload, privateKey) {
  const data = `${b64(header)}.${b64(payload)}`;
  return `${data}.${createSign('RSA-SHA256').update(data).sign(privateKey).toString('base64url')}`;
}

/**
 * Every forged or broken token kind, for `pseudo` with the admin role (so a token
 * that slipped through would also be a privilege escalation). `valid` is a real
 * token from /login, used for the tampering case.
 */
export function forgedTokens({ pseudo, secret, serviceSecret, issuer = 'canaduck-user-service', audience = 'canaduck-irc', valid }) {
  const now = Math.floor(Date.now() / 1000);
  const claims = (extra = {}) => ({
    pseudo,
    roles: ['user', 'admin'],
    iat: now,
    exp: now + 3600,
    iss: issuer,
    aud: audience,
    sub: pseudo,
    ...extra,
  });
  const hs = { alg: 'HS256', typ: 'JWT' };
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const noExp = claims();
  delete noExp.exp;
  const [vh, vp, vs] = valid.split('.');
  const tamperedPayload = { ...JSON.parse(Buffer.from(vp, 'base64url').toString()), pseudo, sub: pseudo, roles: ['user', 'admin'] };
  return {
    'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`,
    'alg None (case variant)': `${b64({ alg: 'None', typ: 'JWT' })}.${b64(claims())}.`,
    'alg none with a leftover signature': `${b64({ alg: 'none' })}.${b64(claims())}.${vs}`,
    'wrong secret': hmacToken(hs, claims(), randomBytes(32).toString('hex')),
    'signed with the service-token secret': hmacToken(hs, claims(), serviceSecret),
    expired: hmacToken(hs, claims({ iat: now - 7200, exp: now - 120 }), secret),
    'no exp': hmacToken(hs, noExp, secret),
    'wrong iss': hmacToken(hs, claims({ iss: 'evil-issuer' }), secret),
    'no iss': hmacToken(hs, (({ iss, ...rest }) => rest)(claims()), secret),
    'wrong aud': hmacToken(hs, claims({ aud: 'someone-else' }), secret),
    'service audience (a service token as user token)': hmacToken(
      hs,
      {
        service: 'message-service',
        iat: now,
        exp: now + 60,
        iss: 'message-service',
        aud: 'canaduck-internal',
        sub: 'service:message-service',
      },
      serviceSecret,
    ),
    'tampered payload (roles: admin, old signature)': `${vh}.${b64(tamperedPayload)}.${vs}`,
    'HS/RS confusion (HS256 keyed with an RSA public key)': hmacToken(hs, claims(), publicKey),
    'RS256 signed by an attacker key': rsaToken({ alg: 'RS256', typ: 'JWT' }, claims(), privateKey),
    'RS256 with an embedded attacker jwk': rsaToken({ alg: 'RS256', typ: 'JWT', jwk: { kty: 'RSA' } }, claims(), privateKey),
    'HS512 with the right secret (algorithm not pinned)': hmacToken({ alg: 'HS512', typ: 'JWT' }, claims(), secret, 'sha512'),
    'kid path traversal, empty key': hmacToken({ alg: 'HS256', kid: '../../../../dev/null' }, claims(), ''),
    'roles not a list': hmacToken(hs, claims({ roles: 'admin' }), secret),
    'pseudo not a string': hmacToken(hs, claims({ pseudo: { $ne: null } }), secret),
    'header not JSON': `${b64('not json')}.${b64(claims())}.${randomBytes(32).toString('base64url')}`,
    'truncated token': valid.slice(0, -10),
  };
}

/** Authorization headers that are not a Bearer JWT at all. */
export const malformedAuthorization = {
  'Basic credentials': 'Basic cm9vdDpyb290',
  'Bearer without a token': 'Bearer ',
  'Bearer garbage': 'Bearer not-a-jwt',
  'Bearer with two tokens': 'Bearer a.b.c d.e.f',
};
