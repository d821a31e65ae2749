// Services started with NODE_ENV=production refuse to derive their keys from a shared secret
// (libraries/config). The benches that run them in production mode hand each one the keys the
// secret derives, written out as PEMs: the bench's own in-process parts, which still derive from
// the same secret, then sign and verify exactly as before.
import { createPublicKey } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const { deriveServiceKey } = require(path.join(ROOT, 'libraries/auth/dist/index.js'));
const { SERVICE_NAMES } = require(path.join(ROOT, 'libraries/contracts/dist/index.js'));

/** SERVICE_PRIVATE_KEY and SERVICE_PUBLIC_KEYS of `service`, as derived from `secret`. */
export function serviceKeyEnv(secret, service) {
  const publicKeys = Object.fromEntries(
    SERVICE_NAMES.map((name) => [name, createPublicKey(deriveServiceKey(secret, name)).export({ format: 'pem', type: 'spki' }).toString()]),
  );
  return {
    SERVICE_PRIVATE_KEY: deriveServiceKey(secret, service).export({ format: 'pem', type: 'pkcs8' }).toString(),
    SERVICE_PUBLIC_KEYS: JSON.stringify(publicKeys),
  };
}
