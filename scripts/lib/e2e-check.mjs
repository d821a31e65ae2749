// Helpers for the end-to-end checks of scripts/e2e.d written in JavaScript.
// Each `check(name, fn)` prints `ok - name` or `not ok - name` (what scripts/e2e.mjs counts);
// `finish()` sets the exit code. Checks run one after the other, and a failing one does not
// stop the next: the report lists every failure.
//
//   import { check, finish, request, expectJson } from '../lib/e2e-check.mjs';
//   await check('gateway is healthy', async () => {
//     const res = await request('GET', '/health');
//     expectJson(res, 200);
//   });
//   finish();
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export { assert };

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BASE_URL = (process.env.BASE_URL ?? 'http://127.0.0.1:5004').replace(/\/+$/, '');

let failures = 0;
let count = 0;

/** Runs one named check and reports it; never throws. */
export async function check(name, fn) {
  count += 1;
  try {
    await fn();
    process.stdout.write(`ok - ${name}\n`);
  } catch (err) {
    failures += 1;
    process.stdout.write(`not ok - ${name}\n`);
    for (const line of String(err?.message ?? err)
      .split('\n')
      .slice(0, 20))
      process.stdout.write(`    # ${line}\n`);
  }
}

/** Ends the file: exit code 1 when a check failed (or none ran). */
export function finish() {
  process.exitCode = failures > 0 || count === 0 ? 1 : 0;
}

/**
 * One HTTP call with a 10 s timeout. `url` is absolute or a path on BASE_URL.
 * Returns { status, headers, text, json } (json is undefined when the body is not JSON).
 */
export async function request(method, url, { body, headers = {}, token, redirect = 'manual' } = {}) {
  const h = { accept: 'application/json', ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  if (body !== undefined) h['content-type'] ??= 'application/json';
  const res = await fetch(url.startsWith('http') ? url : `${BASE_URL}${url}`, {
    method,
    headers: h,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    redirect,
    signal: AbortSignal.timeout(10000),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Asserts the status and a JSON body; the message shows what came back. */
export function expectJson(res, status) {
  const shown = res.text.length > 500 ? `${res.text.slice(0, 500)}...` : res.text;
  assert.equal(res.status, status, `expected status ${status}, got ${res.status}: ${shown}`);
  assert.match(
    res.headers.get('content-type') ?? '',
    /application\/json/,
    `expected JSON, got ${res.headers.get('content-type')}: ${shown}`,
  );
  assert.notEqual(res.json, undefined, `body is not JSON: ${shown}`);
  return res.json;
}

/**
 * A service token as `service` would send it to `callee`: signed with SERVICE_PRIVATE_KEY and
 * SERVICE_PUBLIC_KEYS when set (the container run passes user-service's), else with the key
 * derived from SERVICE_TOKEN_SECRET (else JWT_SECRET), as a local stack does.
 */
export async function serviceToken(service = 'user-service', callee = 'gateway-service') {
  // The built library (npm run build): the same signing code and key derivation as the services.
  const auth = createRequire(path.join(ROOT, 'package.json'))('./libraries/auth/dist/index.js');
  const keys = auth.serviceKeysFrom({
    service,
    privateKey: process.env.SERVICE_PRIVATE_KEY,
    publicKeys: process.env.SERVICE_PUBLIC_KEYS,
    secret: process.env.SERVICE_TOKEN_SECRET ?? process.env.JWT_SECRET,
  });
  return auth.signServiceToken(keys, callee);
}

/** A new account through the gateway (POST /register, then POST /login): `{ pseudo, password, token }`. */
export async function newAccount(pseudo) {
  const password = `pw-${randomBytes(8).toString('hex')}`;
  expectJson(await request('POST', '/register', { body: { pseudo, password, email: `${pseudo}@e2e.canaduck.example` } }), 201);
  const { token } = expectJson(await request('POST', '/login', { body: { pseudo, password } }), 200);
  return { pseudo, password, token };
}

/** The six documented services, as the gateway's /docs selector and /docs/<service>/openapi.json name them. */
export const SERVICES = ['gateway-service', 'user-service', 'message-service', 'channel-service', 'stats-service', 'realtime-service'];

/**
 * For the scripts that report as they go rather than through check(): `fail(msg)` records msg and
 * prints `not ok - <first line>` with up to 40 more lines indented; `ok(msg)` prints `ok - msg`.
 */
export function reporter() {
  const failures = [];
  const fail = (msg) => {
    failures.push(msg);
    const [first, ...rest] = String(msg).split('\n');
    console.log(`not ok - ${first}`);
    for (const line of rest.slice(0, 40)) console.log(`    # ${line.trim()}`);
  };
  const ok = (msg) => console.log(`ok - ${msg}`);
  return { failures, fail, ok };
}
