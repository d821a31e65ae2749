// Micro-benchmark of @canaduck/auth's token checks (build first: npm run build).
// Verification time per token, uncached (a new token each time would be signed; here the
// verifier's cache is bypassed) and through the TokenVerifier cache (the gateway's hot path).
//   node bench/auth-verify.mjs [iterations]
import { createRequire } from 'node:module';
import { generateKeyPairSync, randomBytes } from 'node:crypto';

const require = createRequire(import.meta.url);
const auth = require('../libraries/auth/dist/index.js');
const n = Number(process.argv[2] ?? 20000);
const ed = generateKeyPairSync('ed25519');
const pem = (k, type) => k.export({ type, format: 'pem' });

const settings = {
  HS256: { secret: randomBytes(32).toString('hex'), issuer: 'i', audience: 'a' },
  EdDSA: {
    secret: randomBytes(32).toString('hex'),
    issuer: 'i',
    audience: 'a',
    algorithm: 'EdDSA',
    privateKey: pem(ed.privateKey, 'pkcs8'),
    publicKey: pem(ed.publicKey, 'spki'),
  },
};

/** Mean µs per call of fn over n calls (after n/10 warm-up calls); fn may return a promise. */
async function measure(fn) {
  for (let i = 0; i < n / 10; i++) await fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn();
  return Number(process.hrtime.bigint() - start) / 1000 / n;
}

for (const [alg, s] of Object.entries(settings)) {
  const token = auth.signUserToken({ pseudo: 'bench', roles: ['user'] }, s, 3600);
  const uncached = await measure(() => auth.verifyUserToken(token, s));
  const verifier = new auth.TokenVerifier(s);
  const header = `Bearer ${token}`;
  const cached = await measure(() => verifier.verifyToken(header));
  console.log(`${alg}: verify ${uncached.toFixed(2)} µs, cached ${cached.toFixed(2)} µs`);
}

// Service tokens: what every internal route checks on each call (no cache).
const secret = randomBytes(32).toString('hex');
if (auth.serviceKeysFrom) {
  const keys = auth.serviceKeysFrom({ service: 'user-service', secret });
  const minter = new auth.ServiceTokenMinter(auth.serviceKeysFrom({ service: 'gateway-service', secret }));
  const token = minter.get('user-service');
  console.log(`service token (EdDSA): verify ${(await measure(() => auth.verifyServiceToken(token, keys))).toFixed(2)} µs`);
} else {
  const token = auth.signServiceToken('bench', secret);
  console.log(`service token (HS256): verify ${(await measure(() => auth.verifyServiceToken(token, secret))).toFixed(2)} µs`);
}
