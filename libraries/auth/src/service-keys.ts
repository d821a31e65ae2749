import { createPrivateKey, createPublicKey, hkdfSync, type KeyObject } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/**
 * A service's credentials for internal calls: its own Ed25519 private key (its tokens' `iss` is
 * its name) and its callers' public keys (a token's `aud` must be its name).
 */
export interface ServiceKeys {
  /** This service's name: the `iss` of the tokens it signs, the `aud` of those it accepts. */
  readonly service: string;
  readonly privateKey: KeyObject;
  /** The public key of a calling service, or undefined for a service it does not know. */
  publicKeyOf(caller: string): KeyObject | undefined;
}

export interface ServiceKeysOptions {
  /** This service's name (`user-service`, ...). */
  service: string;
  /** SERVICE_PRIVATE_KEY: this service's Ed25519 private key, PEM (PKCS#8; `\n` may be escaped). */
  privateKey?: string;
  /** SERVICE_PUBLIC_KEYS: a JSON object, caller service name -> PEM public key (SPKI). */
  publicKeys?: string;
  /** SERVICE_TOKEN_SECRET (else JWT_SECRET): the keys are derived from it when none are given. */
  secret?: string;
}

const SERVICE_NAME = /^[a-z][a-z0-9-]{0,62}$/;
// An Ed25519 PKCS#8 DER is this fixed prefix followed by the 32-byte seed (RFC 8410).
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

const unescape = (pem: string) => pem.replace(/\\n/g, '\n');

/**
 * A service's Ed25519 key derived from the shared secret (HKDF-SHA256, the name as info): for
 * local runs and tests, where no keys are configured, so that nothing new needs setting. Anyone
 * holding the secret can derive every service's key: deployments configure real key pairs.
 */
export function deriveServiceKey(secret: string, service: string): KeyObject {
  const seed = Buffer.from(hkdfSync('sha256', secret, 'canaduck-service-key', service, 32));
  return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

function ed25519(key: KeyObject, what: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${what} must be an Ed25519 key (got ${key.asymmetricKeyType})`);
  return key;
}

/** SERVICE_PUBLIC_KEYS parsed: `{ "gateway-service": "-----BEGIN PUBLIC KEY-----\n..." }`. */
export function parseServicePublicKeys(text: string): Map<string, KeyObject> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('SERVICE_PUBLIC_KEYS must be a JSON object: { "<service>": "<PEM public key>" }');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('SERVICE_PUBLIC_KEYS must be a JSON object');
  const keys = new Map<string, KeyObject>();
  for (const [name, pem] of Object.entries(parsed)) {
    if (typeof pem !== 'string') throw new Error(`SERVICE_PUBLIC_KEYS: the key of ${name} must be a PEM string`);
    keys.set(name, ed25519(createPublicKey(unescape(pem)), `SERVICE_PUBLIC_KEYS' key of ${name}`));
  }
  return keys;
}

/** Callers' public keys derived from the secret, on first use (any well-formed name). */
function derivedPublicKeys(secret: string): (caller: string) => KeyObject | undefined {
  const cache = new LRUCache<string, KeyObject>({ max: 64 });
  return (caller) => {
    if (!SERVICE_NAME.test(caller)) return undefined;
    let key = cache.get(caller);
    if (!key) {
      key = createPublicKey(deriveServiceKey(secret, caller));
      cache.set(caller, key);
    }
    return key;
  };
}

/**
 * The service's keys: SERVICE_PRIVATE_KEY and SERVICE_PUBLIC_KEYS together, or neither (then
 * both are derived from the secret). One without the other is a configuration error: a service
 * with its own key must not fall back to keys anyone with the shared secret can derive.
 */
export function serviceKeysFrom(o: ServiceKeysOptions): ServiceKeys {
  if (!SERVICE_NAME.test(o.service)) throw new Error(`invalid service name ${o.service}`);
  if (!!o.privateKey !== !!o.publicKeys) throw new Error('SERVICE_PRIVATE_KEY and SERVICE_PUBLIC_KEYS go together: set both or neither');
  if (o.privateKey && o.publicKeys) {
    const privateKey = ed25519(createPrivateKey(unescape(o.privateKey)), 'SERVICE_PRIVATE_KEY');
    const publicKeys = parseServicePublicKeys(o.publicKeys);
    return { service: o.service, privateKey, publicKeyOf: (caller) => publicKeys.get(caller) };
  }
  if (!o.secret) throw new Error('service keys: set SERVICE_PRIVATE_KEY and SERVICE_PUBLIC_KEYS, or a secret to derive them from');
  return { service: o.service, privateKey: deriveServiceKey(o.secret, o.service), publicKeyOf: derivedPublicKeys(o.secret) };
}
