// Hand-made JWTs for the attack suite: every way a token can be wrong, built from
// raw bytes (node:crypto) so that no library refuses to produce them.
import { createHmac, createPublicKey, createSign, generateKeyPairSync, randomBytes } from 'node:crypto';

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
export function forgedTokens({
  pseudo,
  secret,
  serviceSecret,
  serviceToken, // a real service token of the stack (EdDSA), presented as a user token
  issuer = 'canaduck-user-service',
  audience = 'canaduck-irc',
  valid,
  rsa, // { privateKey, publicKey } of the stack in RS256 mode: "correctly signed" then means signed with it
  jwks, // the stack's published key set, as an attacker fetches it
}) {
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
  const { publicKey: attackerPublic, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  // Signed the way the stack signs, so that only the one broken claim makes the token bad.
  const good = (payload) => (rsa ? rsaToken({ alg: 'RS256', typ: 'JWT' }, payload, rsa.privateKey) : hmacToken(hs, payload, secret));
  // Algorithm confusion: the verifier's public key used as an HMAC secret. In RS256 mode that is
  // the stack's real key, in every form an attacker could derive it (PEM as configured, from the JWKS).
  const confusionKeys = { 'RSA public key': rsa?.publicKey ?? attackerPublic };
  if (rsa) confusionKeys['RSA public key, PKCS#1 PEM'] = createPublicKey(rsa.publicKey).export({ type: 'pkcs1', format: 'pem' });
  for (const [i, jwk] of (jwks?.keys ?? []).entries()) {
    try {
      confusionKeys[`JWKS key ${i}, as PEM`] = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    } catch {
      /* not an RSA/OKP key we can convert */
    }
  }
  const confusion = Object.fromEntries(
    Object.entries(confusionKeys).map(([what, key]) => [`HS/RS confusion (HS256 keyed with the ${what})`, hmacToken(hs, claims(), key)]),
  );
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
    expired: good(claims({ iat: now - 7200, exp: now - 120 })),
    'no exp': good(noExp),
    'wrong iss': good(claims({ iss: 'evil-issuer' })),
    'no iss': good((({ iss, ...rest }) => rest)(claims())),
    'wrong aud': good(claims({ aud: 'someone-else' })),
    // A real service token (EdDSA, the caller's key, aud a service), minted by the suite.
    'service audience (a service token as user token)': serviceToken,
    'tampered payload (roles: admin, old signature)': `${vh}.${b64(tamperedPayload)}.${vs}`,
    ...confusion,
    'RS256 signed by an attacker key': rsaToken({ alg: 'RS256', typ: 'JWT' }, claims(), privateKey),
    'RS256 with an embedded attacker jwk': rsaToken({ alg: 'RS256', typ: 'JWT', jwk: { kty: 'RSA' } }, claims(), privateKey),
    [rsa ? 'HS512 keyed with the public key' : 'HS512 with the right secret (algorithm not pinned)']: hmacToken(
      { alg: 'HS512', typ: 'JWT' },
      claims(),
      rsa ? rsa.publicKey : secret,
      'sha512',
    ),
    'kid path traversal, empty key': hmacToken({ alg: 'HS256', kid: '../../../../dev/null' }, claims(), ''),
    'roles not a list': good(claims({ roles: 'admin' })),
    'pseudo not a string': good(claims({ pseudo: { $ne: null } })),
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

/**
 * A token signed exactly as the stack signs (HS256 secret or RS256 private key) with correct
 * claims: the control that proves the forging code is right, so each forged kind fails for its
 * one defect and not for a mistake in the suite.
 */
export function wellFormedToken({ pseudo, roles = ['user'], secret, rsa, issuer = 'canaduck-user-service', audience = 'canaduck-irc' }) {
  const now = Math.floor(Date.now() / 1000);
  const claims = { pseudo, roles, iat: now, exp: now + 600, iss: issuer, aud: audience, sub: pseudo };
  return rsa ? rsaToken({ alg: 'RS256', typ: 'JWT' }, claims, rsa.privateKey) : hmacToken({ alg: 'HS256', typ: 'JWT' }, claims, secret);
}
