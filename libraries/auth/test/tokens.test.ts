import { createHmac, generateKeyPairSync, sign as rsaSign } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { signUserToken, verifyUserToken, type TokenSettings } from '@canaduck/auth';
import { expect401 } from './support/expect401';
import { settings } from './support/settings';

const b64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

/** Builds a token by hand, so that tests can make the tokens a real library would refuse to sign. */
function craft(header: Record<string, unknown>, payload: Record<string, unknown>, signer: (input: string) => string): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${signer(input)}`;
}
const hmac = (key: string | Buffer) => (input: string) => createHmac('sha256', key).update(input).digest('base64url');

function validClaims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { pseudo: 'roger', roles: ['user'], iat: now(), exp: now() + 600, iss: settings.issuer, aud: settings.audience, ...extra };
}

describe('user tokens (HS256)', () => {
  it('when a token is signed and verified with the same settings, then the pseudo and roles come back', async () => {
    const token = await signUserToken({ pseudo: 'Roger', roles: ['user', 'admin'] }, settings, 3600);
    expect(await verifyUserToken(token, settings)).toEqual({ pseudo: 'Roger', roles: ['user', 'admin'] });
  });

  it('when a token is signed, then its payload has pseudo, roles, iat, exp, iss, aud and sub', async () => {
    const token = await signUserToken({ pseudo: 'roger', roles: ['user'] }, settings, 3600);
    const payload = jwt.decode(token, { complete: true })!;
    expect(payload.header.alg).toBe('HS256');
    expect(payload.payload).toMatchObject({ pseudo: 'roger', roles: ['user'], iss: settings.issuer, aud: settings.audience, sub: 'roger' });
    const p = payload.payload as jwt.JwtPayload;
    expect(p.exp! - p.iat!).toBe(3600);
  });

  it('when a hand-made token is correctly signed, then it is accepted (the crafting helper is sound)', async () => {
    expect((await verifyUserToken(craft({ alg: 'HS256', typ: 'JWT' }, validClaims(), hmac(settings.secret)), settings)).pseudo).toBe(
      'roger',
    );
  });

  it('when the token expired a minute ago, then it is refused as token_expired', async () => {
    const token = craft({ alg: 'HS256', typ: 'JWT' }, validClaims({ iat: now() - 3600, exp: now() - 60 }), hmac(settings.secret));
    await expect401(() => verifyUserToken(token, settings), 'token_expired', /expired/);
  });

  it('when the token expired within the 5 s clock skew, then it is still accepted', async () => {
    const token = craft({ alg: 'HS256', typ: 'JWT' }, validClaims({ exp: now() - 2 }), hmac(settings.secret));
    expect((await verifyUserToken(token, settings)).pseudo).toBe('roger');
  });

  it('when the payload is tampered (roles raised to admin) and the signature kept, then it is refused', async () => {
    const token = await signUserToken({ pseudo: 'roger', roles: ['user'] }, settings, 3600);
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = `${header}.${b64url({ ...claims, roles: ['user', 'admin'] })}.${signature}`;
    await expect401(() => verifyUserToken(forged, settings), 'invalid_token', /signature/);
  });

  it('when the token uses alg "none" without a signature, then it is refused', async () => {
    const token = craft({ alg: 'none', typ: 'JWT' }, validClaims({ roles: ['admin'] }), () => '');
    await expect401(() => verifyUserToken(token, settings));
  });

  it('when the token uses alg "none" with a signature part, then it is refused', async () => {
    const token = craft({ alg: 'none', typ: 'JWT' }, validClaims(), hmac(settings.secret));
    await expect401(() => verifyUserToken(token, settings));
  });

  it('when the token is signed with another secret, then it is refused', async () => {
    const token = await signUserToken(
      { pseudo: 'roger', roles: ['admin'] },
      { ...settings, secret: 'an-attacker-secret-that-is-32-chars-long' },
      3600,
    );
    await expect401(() => verifyUserToken(token, settings), 'invalid_token', /signature/);
  });

  it('when the issuer is wrong, then it is refused', async () => {
    const token = await signUserToken({ pseudo: 'roger', roles: ['user'] }, { ...settings, issuer: 'someone-else' }, 3600);
    await expect401(() => verifyUserToken(token, settings), 'invalid_token', /issuer/);
  });

  it('when the token has no issuer, then it is refused', async () => {
    const { iss: _iss, ...claims } = validClaims();
    await expect401(() => verifyUserToken(craft({ alg: 'HS256' }, claims, hmac(settings.secret)), settings), 'invalid_token', /issuer/);
  });

  it('when the audience is wrong, then it is refused', async () => {
    const token = await signUserToken({ pseudo: 'roger', roles: ['user'] }, { ...settings, audience: 'another-app' }, 3600);
    await expect401(() => verifyUserToken(token, settings), 'invalid_token', /audience/);
  });

  it('when the token has no exp, then it is refused', async () => {
    const { exp: _exp, ...claims } = validClaims();
    await expect401(
      () => verifyUserToken(craft({ alg: 'HS256', typ: 'JWT' }, claims, hmac(settings.secret)), settings),
      'invalid_token',
      /expiry/,
    );
  });

  it('when the token is signed with HS512 by the right secret, then it is refused (the algorithm list is pinned)', async () => {
    const token = jwt.sign(validClaims(), settings.secret, { algorithm: 'HS512' });
    await expect401(() => verifyUserToken(token, settings), 'invalid_token', /algorithm/);
  });

  it.each([
    ['pseudo missing', { pseudo: undefined }],
    ['pseudo not a string', { pseudo: 42 }],
    ['roles not a list', { roles: 'admin' }],
    ['roles holding a non-string', { roles: ['user', { admin: true }] }],
  ])('when the payload has %s, then it is refused', async (_what, extra) => {
    const token = craft({ alg: 'HS256' }, validClaims(extra), hmac(settings.secret));
    await expect401(() => verifyUserToken(token, settings), 'invalid_token', /payload/);
  });

  it.each(['', 'abc', 'a.b', 'not.a.token', '...'])('when the token is garbage (%p), then it is refused', async (garbage) => {
    await expect401(() => verifyUserToken(garbage, settings));
  });
});

describe('user tokens in asymmetric mode and algorithm confusion', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const rsSigner: TokenSettings = { ...settings, algorithm: 'RS256', privateKey, publicKey };
  const rsVerifier: TokenSettings = { ...settings, algorithm: 'RS256', publicKey };

  it('when RS256 is configured, then a token signed with the private key verifies with the public key alone', async () => {
    const token = await signUserToken({ pseudo: 'roger', roles: ['user'] }, rsSigner, 600);
    expect(jwt.decode(token, { complete: true })!.header.alg).toBe('RS256');
    expect(await verifyUserToken(token, rsVerifier)).toEqual({ pseudo: 'roger', roles: ['user'] });
  });

  it('when RS256 is configured and a token is HS256-signed with the public key as HMAC secret, then it is refused', async () => {
    const token = craft({ alg: 'HS256', typ: 'JWT' }, validClaims({ roles: ['admin'] }), hmac(publicKey));
    await expect401(() => verifyUserToken(token, rsVerifier), 'invalid_token', /algorithm/);
  });

  it('when HS256 is configured and a token is RS256-signed by some private key, then it is refused', async () => {
    const token = craft({ alg: 'RS256', typ: 'JWT' }, validClaims({ roles: ['admin'] }), (input) =>
      rsaSign('sha256', Buffer.from(input), privateKey).toString('base64url'),
    );
    await expect401(() => verifyUserToken(token, settings), 'invalid_token', /algorithm/);
  });

  it('when RS256 is configured and the token was signed by another key pair, then it is refused', async () => {
    const other = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const token = await signUserToken({ pseudo: 'roger', roles: ['admin'] }, { ...rsSigner, privateKey: other.privateKey }, 600);
    await expect401(() => verifyUserToken(token, rsVerifier), 'invalid_token', /signature/);
  });

  it('when an asymmetric algorithm is configured without its keys, then signing and verifying fail loudly (a configuration bug)', async () => {
    await expect(signUserToken({ pseudo: 'a', roles: [] }, { ...settings, algorithm: 'RS256' }, 60)).rejects.toThrow(/JWT_PRIVATE_KEY/);
    await expect(verifyUserToken('a.b.c', { ...settings, algorithm: 'RS256' })).rejects.toThrow(/JWT_PUBLIC_KEY/);
  });
});
