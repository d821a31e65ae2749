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
  const token = await auth.signUserToken({ pseudo: 'bench', roles: ['user'] }, s, 3600);
  const uncached = await measure(() => auth.verifyUserToken(token, s));
  const verifier = new auth.TokenVerifier(s);
  const header = `Bearer ${token}`;
  // The hot path: `cached` since jose (synchronous on a hit), `verifyToken` before it.
  const cached = await measure(() => (verifier.cached ? verifier.cached(header) : verifier.verifyToken(header)));
  console.log(`${alg}: verify ${uncached.toFixed(2)} µs, cached ${cached.toFixed(2)} µs`);
}

// Service tokens: what every internal route checks on each call (no cache).
const secret = randomBytes(32).toString('hex');
if (auth.serviceKeysFrom) {
  const keys = auth.serviceKeysFrom({ service: 'user-service', secret });
  const minter = new auth.ServiceTokenMinter(auth.serviceKeysFrom({ service: 'gateway-service', secret }));
  const token = await minter.get('user-service');
  // Uncached: 1,000 distinct tokens (other lifetimes) cycle through the 256-entry verified-token cache.
  const gateway = auth.serviceKeysFrom({ service: 'gateway-service', secret });
  const distinct = await Promise.all(Array.from({ length: 1000 }, (_, j) => auth.signServiceToken(gateway, 'user-service', 60 + j)));
  let i = 0;
  const uncached = await measure(() => auth.verifyServiceToken(distinct[i++ % distinct.length], keys));
  console.log(`service token (EdDSA): verify uncached ${uncached.toFixed(2)} µs`);
  console.log(`service token (EdDSA): verify cached ${(await measure(() => auth.verifyServiceToken(token, keys))).toFixed(2)} µs`);
} else {
  const token = auth.signServiceToken('bench', secret);
  console.log(`service token (HS256): verify ${(await measure(() => auth.verifyServiceToken(token, secret))).toFixed(2)} µs`);
}
