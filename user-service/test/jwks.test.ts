import { generateKeyPairSync, createPublicKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { verifyUserToken, type TokenSettings } from '@canaduck/auth';
import { testDatabases, testTokenSettings } from '@canaduck/testing';
import { registerUser, startService } from './support';

const pem = (alg: 'rsa' | 'ed25519') => {
  const { privateKey, publicKey } = alg === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ed25519');
  return {
    privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKey: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
};

describe.each(testDatabases())('GET /.well-known/jwks.json and asymmetric tokens (%s)', (kind) => {
  it('when tokens are HS256, then 404 and no key is published', async () => {
    const svc = await startService(kind);
    try {
      const res = await request(svc.app).get('/.well-known/jwks.json');
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('jwks_not_available');
    } finally {
      await svc.close();
    }
  });

  it.each([
    ['RS256', 'rsa'],
    ['EdDSA', 'ed25519'],
  ] as const)('when tokens are %s, then login tokens verify with the published public key only', async (algorithm, type) => {
    const keys = pem(type);
    const tokens: TokenSettings = { ...testTokenSettings, algorithm, privateKey: keys.privateKey };
    const svc = await startService(kind, { tokens });
    try {
      const jwks = await request(svc.app).get('/.well-known/jwks.json');
      expect(jwks.status).toBe(200);
      expect(jwks.body.keys).toHaveLength(1);
      const key = jwks.body.keys[0];
      expect(key).toMatchObject({ alg: algorithm, use: 'sig', kid: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
      expect(key).not.toHaveProperty('d');
      const published = createPublicKey({ key, format: 'jwk' }).export({ format: 'pem', type: 'spki' }).toString();
      expect(published).toBe(keys.publicKey);

      const user = await registerUser(svc.app);
      const login = await request(svc.app).post('/login').send({ pseudo: user.pseudo, password: user.password }).expect(200);
      expect(jwt.decode(login.body.token, { complete: true })?.header.alg).toBe(algorithm);
      const verifier: TokenSettings = { ...testTokenSettings, algorithm, publicKey: published };
      expect(await verifyUserToken(login.body.token, verifier)).toEqual({ pseudo: user.pseudo, roles: ['user'] });
      // user-service verifies its own tokens too, with the key derived from the private one.
      await request(svc.app).post('/logout').set('Authorization', `Bearer ${login.body.token}`).expect(200);
      // An HS256 token made with the shared secret is refused in asymmetric mode (no algorithm confusion).
      const hs = jwt.sign({ pseudo: user.pseudo, roles: ['admin'] }, testTokenSettings.secret, {
        expiresIn: 60,
        issuer: testTokenSettings.issuer,
        audience: testTokenSettings.audience,
      });
      await request(svc.app).post('/logout').set('Authorization', `Bearer ${hs}`).expect(401);
    } finally {
      await svc.close();
    }
  });

  it('when the algorithm is asymmetric but no private key is given, then the service refuses to start', async () => {
    await expect(startService(kind, { tokens: { ...testTokenSettings, algorithm: 'RS256' } })).rejects.toThrow(/JWT_PRIVATE_KEY/);
  });
});
