import { createHmac, generateKeyPairSync, sign as rsaSign } from 'node:crypto';
import jwt from 'jsonwebtoken';
import {
  ServiceTokenMinter,
  signServiceToken,
  signUserToken,
  verifyServiceToken,
  verifyUserToken,
  type TokenSettings,
} from '@canaduck/auth';
import { UnauthorizedError } from '@canaduck/errors';
import { serviceSecret, settings } from './support/settings';

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

/** Expects a 401 UnauthorizedError with the given code. */
function expect401(fn: () => unknown, code = 'invalid_token', message?: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(UnauthorizedError);
  expect((thrown as UnauthorizedError).status).toBe(401);
  expect((thrown as UnauthorizedError).code).toBe(code);
  if (message) expect((thrown as Error).message).toMatch(message);
}

describe('user tokens (HS256)', () => {
  it('when a token is signed and verified with the same settings, then the pseudo and roles come back', () => {
    const token = signUserToken({ pseudo: 'Roger', roles: ['user', 'admin'] }, settings, 3600);
    expect(verifyUserToken(token, settings)).toEqual({ pseudo: 'Roger', roles: ['user', 'admin'] });
  });

  it('when a token is signed, then its payload has pseudo, roles, iat, exp, iss, aud and sub', () => {
    const token = signUserToken({ pseudo: 'roger', roles: ['user'] }, settings, 3600);
    const payload = jwt.decode(token, { complete: true })!;
    expect(payload.header.alg).toBe('HS256');
    expect(payload.payload).toMatchObject({ pseudo: 'roger', roles: ['user'], iss: settings.issuer, aud: settings.audience, sub: 'roger' });
    const p = payload.payload as jwt.JwtPayload;
    expect(p.exp! - p.iat!).toBe(3600);
  });

  it('when a hand-made token is correctly signed, then it is accepted (the crafting helper is sound)', () => {
    expect(verifyUserToken(craft({ alg: 'HS256', typ: 'JWT' }, validClaims(), hmac(settings.secret)), settings).pseudo).toBe('roger');
  });

  it('when the token expired a minute ago, then it is refused as token_expired', () => {
    const token = craft({ alg: 'HS256', typ: 'JWT' }, validClaims({ iat: now() - 3600, exp: now() - 60 }), hmac(settings.secret));
    expect401(() => verifyUserToken(token, settings), 'token_expired', /expired/);
  });

  it('when the token expired within the 5 s clock skew, then it is still accepted', () => {
    const token = craft({ alg: 'HS256', typ: 'JWT' }, validClaims({ exp: now() - 2 }), hmac(settings.secret));
    expect(verifyUserToken(token, settings).pseudo).toBe('roger');
  });

  it('when the payload is tampered (roles raised to admin) and the signature kept, then it is refused', () => {
    const token = signUserToken({ pseudo: 'roger', roles: ['user'] }, settings, 3600);
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = `${header}.${b64url({ ...claims, roles: ['user', 'admin'] })}.${signature}`;
    expect401(() => verifyUserToken(forged, settings), 'invalid_token', /signature/);
  });

  it('when the token uses alg "none" without a signature, then it is refused', () => {
    const token = craft({ alg: 'none', typ: 'JWT' }, validClaims({ roles: ['admin'] }), () => '');
    expect401(() => verifyUserToken(token, settings));
  });

  it('when the token uses alg "none" with a signature part, then it is refused', () => {
    const token = craft({ alg: 'none', typ: 'JWT' }, validClaims(), hmac(settings.secret));
    expect401(() => verifyUserToken(token, settings));
  });

  it('when the token is signed with another secret, then it is refused', () => {
    const token = signUserToken(
      { pseudo: 'roger', roles: ['admin'] },
      { ...settings, secret: 'an-attacker-secret-that-is-32-chars-long' },
      3600,
    );
    expect401(() => verifyUserToken(token, settings), 'invalid_token', /signature/);
  });

  it('when the issuer is wrong, then it is refused', () => {
    const token = signUserToken({ pseudo: 'roger', roles: ['user'] }, { ...settings, issuer: 'someone-else' }, 3600);
    expect401(() => verifyUserToken(token, settings), 'invalid_token', /issuer/);
  });

  it('when the token has no issuer, then it is refused', () => {
    const { iss: _iss, ...claims } = validClaims();
    expect401(() => verifyUserToken(craft({ alg: 'HS256' }, claims, hmac(settings.secret)), settings), 'invalid_token', /issuer/);
  });

  it('when the audience is wrong, then it is refused', () => {
    const token = signUserToken({ pseudo: 'roger', roles: ['user'] }, { ...settings, audience: 'another-app' }, 3600);
    expect401(() => verifyUserToken(token, settings), 'invalid_token', /audience/);
  });

  it('when the token has no exp, then it is refused', () => {
    const { exp: _exp, ...claims } = validClaims();
    expect401(
      () => verifyUserToken(craft({ alg: 'HS256', typ: 'JWT' }, claims, hmac(settings.secret)), settings),
      'invalid_token',
      /expiry/,
    );
  });

  it('when the token is signed with HS512 by the right secret, then it is refused (the algorithm list is pinned)', () => {
    const token = jwt.sign(validClaims(), settings.secret, { algorithm: 'HS512' });
    expect401(() => verifyUserToken(token, settings), 'invalid_token', /algorithm/);
  });

  it.each([
    ['pseudo missing', { pseudo: undefined }],
    ['pseudo not a string', { pseudo: 42 }],
    ['roles not a list', { roles: 'admin' }],
    ['roles holding a non-string', { roles: ['user', { admin: true }] }],
  ])('when the payload has %s, then it is refused', (_what, extra) => {
    const token = craft({ alg: 'HS256' }, validClaims(extra), hmac(settings.secret));
    expect401(() => verifyUserToken(token, settings), 'invalid_token', /payload/);
  });

  it.each(['', 'abc', 'a.b', 'not.a.token', '...'])('when the token is garbage (%p), then it is refused', (garbage) => {
    expect401(() => verifyUserToken(garbage, settings));
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

  it('when RS256 is configured, then a token signed with the private key verifies with the public key alone', () => {
    const token = signUserToken({ pseudo: 'roger', roles: ['user'] }, rsSigner, 600);
    expect(jwt.decode(token, { complete: true })!.header.alg).toBe('RS256');
    expect(verifyUserToken(token, rsVerifier)).toEqual({ pseudo: 'roger', roles: ['user'] });
  });

  it('when RS256 is configured and a token is HS256-signed with the public key as HMAC secret, then it is refused', () => {
    const token = craft({ alg: 'HS256', typ: 'JWT' }, validClaims({ roles: ['admin'] }), hmac(publicKey));
    expect401(() => verifyUserToken(token, rsVerifier), 'invalid_token', /algorithm/);
  });

  it('when HS256 is configured and a token is RS256-signed by some private key, then it is refused', () => {
    const token = craft({ alg: 'RS256', typ: 'JWT' }, validClaims({ roles: ['admin'] }), (input) =>
      rsaSign('sha256', Buffer.from(input), privateKey).toString('base64url'),
    );
    expect401(() => verifyUserToken(token, settings), 'invalid_token', /algorithm/);
  });

  it('when RS256 is configured and the token was signed by another key pair, then it is refused', () => {
    const other = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const token = signUserToken({ pseudo: 'roger', roles: ['admin'] }, { ...rsSigner, privateKey: other.privateKey }, 600);
    expect401(() => verifyUserToken(token, rsVerifier), 'invalid_token', /signature/);
  });

  it('when an asymmetric algorithm is configured without its keys, then signing and verifying fail loudly (a configuration bug)', () => {
    expect(() => signUserToken({ pseudo: 'a', roles: [] }, { ...settings, algorithm: 'RS256' }, 60)).toThrow(/JWT_PRIVATE_KEY/);
    expect(() => verifyUserToken('a.b.c', { ...settings, algorithm: 'RS256' })).toThrow(/JWT_PUBLIC_KEY/);
  });
});

describe('service tokens', () => {
  it('when a service token is signed, then verifying it gives the calling service', () => {
    const token = signServiceToken('message-service', serviceSecret);
    expect(verifyServiceToken(token, serviceSecret)).toBe('message-service');
    const payload = jwt.decode(token) as jwt.JwtPayload;
    expect(payload).toMatchObject({ service: 'message-service', iss: 'message-service', aud: 'canaduck-internal' });
    expect(payload.exp! - payload.iat!).toBe(60);
  });

  it('when a user token (same secret) is presented as a service token, then it is refused', () => {
    const shared: TokenSettings = { ...settings, secret: serviceSecret };
    const userToken = signUserToken({ pseudo: 'roger', roles: ['admin'] }, shared, 600);
    expect401(() => verifyServiceToken(userToken, serviceSecret), 'invalid_token', /audience/);
  });

  it('when a service token (same secret) is presented as a user token, then it is refused', () => {
    const shared: TokenSettings = { ...settings, secret: serviceSecret };
    expect401(() => verifyUserToken(signServiceToken('channel-service', serviceSecret), shared), 'invalid_token', /audience/);
  });

  it('when a service token is signed with another secret, then it is refused', () => {
    expect401(() => verifyServiceToken(signServiceToken('x', 'some-other-service-secret-32-chars-long'), serviceSecret));
  });

  it('when a service token is expired, then it is refused as token_expired', () => {
    const token = craft(
      { alg: 'HS256' },
      { service: 'x', iat: now() - 600, exp: now() - 60, aud: 'canaduck-internal' },
      hmac(serviceSecret),
    );
    expect401(() => verifyServiceToken(token, serviceSecret), 'token_expired');
  });

  it('when a service token has no exp or no service, then it is refused', () => {
    const noExp = craft({ alg: 'HS256' }, { service: 'x', aud: 'canaduck-internal' }, hmac(serviceSecret));
    const noService = craft({ alg: 'HS256' }, { exp: now() + 60, aud: 'canaduck-internal' }, hmac(serviceSecret));
    expect401(() => verifyServiceToken(noExp, serviceSecret), 'invalid_token', /service token/);
    expect401(() => verifyServiceToken(noService, serviceSecret), 'invalid_token', /service token/);
  });

  it('when a service token uses alg "none", then it is refused', () => {
    const token = craft({ alg: 'none' }, { service: 'x', exp: now() + 60, aud: 'canaduck-internal' }, () => '');
    expect401(() => verifyServiceToken(token, serviceSecret));
  });
});

describe('ServiceTokenMinter', () => {
  afterEach(() => jest.restoreAllMocks());

  it('when asked twice in a row, then it reuses the same token', () => {
    const minter = new ServiceTokenMinter('stats-service', serviceSecret);
    const first = minter.get();
    expect(minter.get()).toBe(first);
    expect(verifyServiceToken(first, serviceSecret)).toBe('stats-service');
  });

  it('when the token is within 15 s of expiring, then a fresh one is minted', () => {
    const start = Date.now();
    const clock = jest.spyOn(Date, 'now').mockReturnValue(start);
    const minter = new ServiceTokenMinter('stats-service', serviceSecret, 60);
    const first = minter.get();
    clock.mockReturnValue(start + 44_000);
    expect(minter.get()).toBe(first);
    clock.mockReturnValue(start + 46_000);
    const second = minter.get();
    expect(second).not.toBe(first);
    expect((jwt.decode(second) as jwt.JwtPayload).exp).toBe(Math.floor((start + 46_000) / 1000) + 60);
  });
});
