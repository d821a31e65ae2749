#!/usr/bin/env node
// Prints a fresh set of keys for `.env` (docker-compose.yml): the user tokens' EdDSA key pair
// (only user-service gets the private key), each service's own Ed25519 key for its service
// tokens (realtime-service's also signs its stream tickets) and the map of their public keys
// (SERVICE_PUBLIC_KEYS).
//   node scripts/generate-keys.mjs >> .env      (then fill in the passwords)
//   node scripts/generate-keys.mjs --json       (the same as one JSON object, for scripts)
import { generateKeys } from './lib/keys.mjs';

const keys = generateKeys();
if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(keys, null, 2)}\n`);
else for (const [name, value] of Object.entries(keys)) process.stdout.write(`${name}=${value}\n`);
