import { createHmac, generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { signUserToken, verifyUserToken, type TokenSettings } from '@canaduck/auth';
import { UnauthorizedError } from '@canaduck/errors';

const ed = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKey: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
};
const keys = ed();
const base = { secret: 'a-secret-for-the-eddsa-tests-32-chars-long', issuer: 'canaduck-user-service', audience: 'canaduck-irc' };
const signer: TokenSettings = { ...base, algorithm: 'EdDSA', privateKey: keys.privateKey };
const verifier: TokenSettings = { ...base, algorithm: 'EdDSA', publicKey: keys.publicKey };

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
const claims = (extra: Record<string, unknown> = {}) => ({
  pseudo: 'roger',
  roles: ['user'],
  iat: now(),
  exp: now() + 600,
  iss: base.issuer,
  aud: base.audience,
  ...extra,
});
function edToken(
  payload: Record<string, unknown>,
  privateKey = keys.privateKey,
  header: Record<string, unknown> = { alg: 'EdDSA', typ: 'JWT' },
): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${cryptoSign(null, Buffer.from(input), privateKey).toString('base64url')}`;
}
async function code(fn: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UnauthorizedError);
    return (err as UnauthorizedError).code;
  }
  return undefined;
}

describe('EdDSA user tokens', () => {
  it('when signed with the private key (jose), then they verify with the public key alone', async () => {
    const token = await signUserToken({ pseudo: 'roger', roles: ['user', 'admin'] }, signer, 60);
    expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString())).toEqual({ alg: 'EdDSA', typ: 'JWT' });
    expect(await verifyUserToken(token, verifier)).toEqual({ pseudo: 'roger', roles: ['user', 'admin'] });
  });

  it('when the token is expired, then 401 token_expired', async () => {
    expect(await code(() => verifyUserToken(edToken(claims({ exp: now() - 60 })), verifier))).toBe('token_expired');
  });

  it.each([
    ['signed by another key', () => edToken(claims(), ed().privateKey)],
    [
      'tampered',
      async () =>
        (await signUserToken({ pseudo: 'roger', roles: ['user'] }, signer, 60)).replace(
          /\.[^.]+\./,
          `.${b64url(claims({ roles: ['admin'] }))}.`,
        ),
    ],
    ['without exp', () => edToken(claims({ exp: undefined }))],
    ['of another issuer', () => edToken(claims({ iss: 'evil' }))],
    ['of another audience', () => edToken(claims({ aud: 'other' }))],
    ['not yet valid', () => edToken(claims({ nbf: now() + 600 }))],
    ['alg none', () => `${b64url({ alg: 'none' })}.${b64url(claims())}.`],
    [
      'HS256 with the public key as secret',
      () => {
        const input = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(claims())}`;
        return `${input}.${createHmac('sha256', keys.publicKey).update(input).digest('base64url')}`;
      },
    ],
    ['garbage', () => 'a.b.c'],
  ])('when the token is %s, then 401 invalid_token', async (_w, make) => {
    expect(await code(async () => verifyUserToken(await make(), verifier))).toBe('invalid_token');
  });
});

describe('EdDSA user tokens and the other algorithms', () => {
  it('when HS256 is configured and a token is EdDSA-signed, then 401 invalid_token (the algorithm is pinned)', async () => {
    const hs: TokenSettings = { ...base, algorithm: 'HS256' };
    expect(await code(() => verifyUserToken(edToken(claims()), hs))).toBe('invalid_token');
  });

  it('when a token is signed by hand with node:crypto, then jose verifies it (interoperability)', async () => {
    expect(await verifyUserToken(edToken(claims({ roles: ['user', 'admin'] })), verifier)).toEqual({
      pseudo: 'roger',
      roles: ['user', 'admin'],
    });
  });
});
