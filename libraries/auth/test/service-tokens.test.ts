import { generateKeyPairSync, sign } from 'node:crypto';
import express from 'express';
import request from 'supertest';
import { decodeJwt } from 'jose';
import {
  requireService,
  ServiceTokenMinter,
  serviceKeysFrom,
  signServiceToken,
  signUserToken,
  verifyServiceToken,
  type ServiceKeys,
} from '@canaduck/auth';
import { errorMiddleware } from '@canaduck/errors';
import { expect401 } from './support/expect401';
import { settings } from './support/settings';

const secret = 'the-shared-secret-of-the-service-token-tests';
const derived = (service: string) => serviceKeysFrom({ service, secret });
const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

function pemPair() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKey: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

/** A token signed by `keys` with any claims (the tests' forgeries). */
function handMade(keys: ServiceKeys, claims: Record<string, unknown>): string {
  const input = `${b64url({ alg: 'EdDSA', typ: 'JWT' })}.${b64url(claims)}`;
  return `${input}.${sign(null, Buffer.from(input), keys.privateKey).toString('base64url')}`;
}

describe('service tokens (EdDSA, one key per service)', () => {
  const user = derived('user-service');
  const gateway = derived('gateway-service');

  it('when the gateway signs for user-service, then user-service verifies it and learns the caller; iss, aud, 60 s', async () => {
    const token = await signServiceToken(gateway, 'user-service');
    expect(await verifyServiceToken(token, user)).toBe('gateway-service');
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ iss: 'gateway-service', aud: 'user-service', sub: 'service:gateway-service' });
    expect(claims.exp! - claims.iat!).toBe(60);
  });

  it('when a token is addressed to another callee, then it is refused (a token for user-service opens nothing else)', async () => {
    const token = await signServiceToken(gateway, 'user-service');
    await expect401(() => verifyServiceToken(token, derived('message-service')), 'invalid_token', /audience/);
  });

  it('when a token claims to come from another service than the key that signed it, then it is refused', async () => {
    const forged = handMade(gateway, { iss: 'stats-service', aud: 'user-service', iat: now(), exp: now() + 60 });
    await expect401(() => verifyServiceToken(forged, user), 'invalid_token', /signature/);
  });

  it('when the keys come from another secret, then the token is refused', async () => {
    const other = serviceKeysFrom({ service: 'gateway-service', secret: 'another-secret-that-is-32-characters-long' });
    const token = await signServiceToken(other, 'user-service');
    await expect401(() => verifyServiceToken(token, user), 'invalid_token', /signature/);
  });

  it('when the token expired, then 401 token_expired; without exp or iss, 401 invalid_token', async () => {
    const expired = handMade(gateway, { iss: 'gateway-service', aud: 'user-service', iat: now() - 600, exp: now() - 60 });
    await expect401(() => verifyServiceToken(expired, user), 'token_expired');
    await expect401(() => verifyServiceToken(handMade(gateway, { iss: 'gateway-service', aud: 'user-service' }), user), 'invalid_token');
    await expect401(() => verifyServiceToken(handMade(gateway, { aud: 'user-service', exp: now() + 60 }), user), 'invalid_token', /issuer/);
  });

  it('when a user token is presented as a service token, or the reverse, then both are refused', async () => {
    const userToken = await signUserToken({ pseudo: 'root', roles: ['admin'] }, settings, 600);
    await expect401(() => verifyServiceToken(userToken, user), 'invalid_token');
    await expect401(async () => {
      const { verifyUserToken } = await import('@canaduck/auth');
      return verifyUserToken(await signServiceToken(gateway, 'user-service'), settings);
    }, 'invalid_token');
  });

  it('when alg is none or garbage comes, then 401 invalid_token', async () => {
    const none = `${b64url({ alg: 'none' })}.${b64url({ iss: 'gateway-service', aud: 'user-service', exp: now() + 60 })}.`;
    await expect401(() => verifyServiceToken(none, user));
    await expect401(() => verifyServiceToken('a.b.c', user));
  });
});

describe('configured service keys (SERVICE_PRIVATE_KEY, SERVICE_PUBLIC_KEYS)', () => {
  const gw = pemPair();
  const stats = pemPair();
  const publicKeys = JSON.stringify({ 'gateway-service': gw.publicKey, 'stats-service': stats.publicKey });

  it('when keys are configured, then a caller signs with its own key and the callee checks it with the map', async () => {
    const gateway = serviceKeysFrom({ service: 'gateway-service', privateKey: gw.privateKey, publicKeys });
    const user = serviceKeysFrom({ service: 'user-service', privateKey: pemPair().privateKey, publicKeys });
    expect(await verifyServiceToken(await signServiceToken(gateway, 'user-service'), user)).toBe('gateway-service');
  });

  it('when a PEM has escaped newlines (one-line .env values), then it is read the same', async () => {
    const oneLine = gw.privateKey.replace(/\n/g, '\\n');
    const gateway = serviceKeysFrom({ service: 'gateway-service', privateKey: oneLine, publicKeys: publicKeys.replace(/\\n/g, '\\\\n') });
    expect(await verifyServiceToken(await signServiceToken(gateway, 'gateway-service'), gateway)).toBe('gateway-service');
  });

  it('when a caller is missing from the map, or signs with a key derived from the secret, then it is refused', async () => {
    const user = serviceKeysFrom({ service: 'user-service', privateKey: pemPair().privateKey, publicKeys });
    const irc = serviceKeysFrom({ service: 'irc-service', privateKey: pemPair().privateKey, publicKeys });
    await expect401(
      () => verifyServiceToken(handMade(irc, { iss: 'irc-service', aud: 'user-service', exp: now() + 60 }), user),
      'invalid_token',
      /unknown service/,
    );
    const derivedGateway = derived('gateway-service');
    await expect401(() =>
      verifyServiceToken(handMade(derivedGateway, { iss: 'gateway-service', aud: 'user-service', exp: now() + 60 }), user),
    );
  });

  it('when only one of the two settings is set, or the map is not JSON, or a key is not Ed25519, then it fails at start', () => {
    expect(() => serviceKeysFrom({ service: 'user-service', privateKey: gw.privateKey, secret })).toThrow(/go together/);
    expect(() => serviceKeysFrom({ service: 'user-service', publicKeys, secret })).toThrow(/go together/);
    expect(() => serviceKeysFrom({ service: 'user-service', privateKey: gw.privateKey, publicKeys: 'user-service=abc' })).toThrow(/JSON/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(() => serviceKeysFrom({ service: 'user-service', privateKey: rsa, publicKeys })).toThrow(/Ed25519/);
    expect(() => serviceKeysFrom({ service: 'user-service' })).toThrow(/SERVICE_PRIVATE_KEY/);
  });
});

describe('ServiceTokenMinter', () => {
  afterEach(() => jest.restoreAllMocks());

  it('when asked twice for one callee, then it reuses the token; another callee gets its own', async () => {
    const minter = new ServiceTokenMinter(derived('stats-service'));
    const first = await minter.get('message-service');
    expect(await minter.get('message-service')).toBe(first);
    const other = await minter.get('channel-service');
    expect(decodeJwt(other).aud).toBe('channel-service');
    expect(await verifyServiceToken(first, derived('message-service'))).toBe('stats-service');
  });

  it('when the token is within 15 s of expiring, then a fresh one is minted', async () => {
    const start = Date.now();
    const clock = jest.spyOn(Date, 'now').mockReturnValue(start);
    const minter = new ServiceTokenMinter(derived('stats-service'), 60);
    const first = await minter.get('message-service');
    clock.mockReturnValue(start + 44_000);
    expect(await minter.get('message-service')).toBe(first);
    clock.mockReturnValue(start + 46_000);
    const second = await minter.get('message-service');
    expect(second).not.toBe(first);
    expect(decodeJwt(second).exp).toBe(Math.floor((start + 46_000) / 1000) + 60);
  });
});

describe('requireService(keys, allowed)', () => {
  const app = express();
  app.get('/internal/ping', requireService(derived('user-service'), ['gateway-service']), (req, res) => {
    res.json({ caller: req.callerService });
  });
  app.use(errorMiddleware());
  const call = async (caller: string, callee = 'user-service') =>
    request(app)
      .get('/internal/ping')
      .set('Authorization', `Bearer ${await signServiceToken(derived(caller), callee)}`);

  it('when an allowed service calls, then the route sees it', async () => {
    const res = await call('gateway-service');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ caller: 'gateway-service' });
  });

  it('when a valid token of a service not allowed comes, then 403 service_not_allowed', async () => {
    const res = await call('stats-service');
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: 'stats-service may not call this route', code: 'service_not_allowed' });
  });

  it('when an allowed service sends a token addressed to another callee, then 401 invalid_token', async () => {
    const res = await call('gateway-service', 'message-service');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('invalid_token');
  });

  it('when no token, a user token or an expired service token comes, then 401', async () => {
    expect((await request(app).get('/internal/ping')).body.code).toBe('token_missing');
    const asUser = await request(app)
      .get('/internal/ping')
      .set('Authorization', `Bearer ${await signUserToken({ pseudo: 'root', roles: ['admin'] }, settings, 600)}`);
    expect(asUser.status).toBe(401);
    const expired = await request(app)
      .get('/internal/ping')
      .set('Authorization', `Bearer ${await signServiceToken(derived('gateway-service'), 'user-service', -60)}`);
    expect(expired.status).toBe(401);
    expect(expired.body.code).toBe('token_expired');
  });
});
