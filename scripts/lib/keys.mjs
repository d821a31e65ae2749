// Fresh key material for a deployment (docs/production.md): the user tokens' EdDSA pair, one
// Ed25519 key pair per service for the service tokens (realtime-service's also signs its stream
// tickets), and the map of their public keys. PEMs are written on one line with `\n` escaped, as .env
// files and `docker run --env` carry them; the services read both forms.
import { generateKeyPairSync } from 'node:crypto';
import { IRC_SERVICE, SERVICES } from '../stack.mjs';

/** Every service that signs service tokens: the launcher's services and the IRC door. */
export const KEYED_SERVICES = [...SERVICES, IRC_SERVICE].map((s) => s.name);

const oneLine = (pem) => pem.trim().replace(/\n/g, '\\n');

function ed25519() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKey: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

/** `USER_SERVICE_PRIVATE_KEY` for `user-service`: the .env name of a service's private key. */
export const privateKeyVariable = (service) => `${service.replace(/-/g, '_').toUpperCase()}_PRIVATE_KEY`;

/** The variables docker-compose.yml and the Kubernetes Secrets take, freshly generated. */
export function generateKeys() {
  const jwt = ed25519();
  const env = { JWT_PRIVATE_KEY: oneLine(jwt.privateKey), JWT_PUBLIC_KEY: oneLine(jwt.publicKey) };
  const publicKeys = {};
  for (const service of KEYED_SERVICES) {
    const pair = ed25519();
    env[privateKeyVariable(service)] = oneLine(pair.privateKey);
    publicKeys[service] = pair.publicKey.trim();
  }
  // JSON.stringify escapes the PEMs' newlines: one line, read back by JSON.parse.
  env.SERVICE_PUBLIC_KEYS = JSON.stringify(publicKeys);
  return env;
}
