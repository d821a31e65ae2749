#!/usr/bin/env node
// End-to-end step: the OpenAPI documents, as clients get them through the gateway.
// The first run downloads @redocly/cli through npx:
// e2e-timeout-seconds: 420
//  1. every service's document is served at $BASE_URL/docs/<service>/openapi.json;
//  2. they lint clean: the OpenAPI 3.0 schema (@apidevtools/swagger-parser), our rules
//     (summary, responses, unique operationId, no /internal), and `redocly lint`
//     (scripts/openapi/redocly.yaml; OPENAPI_REDOCLY=0 skips it when offline);
//  3. every documented operation answers through the gateway with something other than a
//     routing 404 (and never a 500), and /internal routes are never routed;
//  4. every prefix the gateway routes (structures.md section 6) is documented, and every
//     public path a service documents (its own /openapi.json) is in its document through the gateway.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASE_URL, reporter, SERVICES } from '../lib/e2e-check.mjs';
import { SERVICES as STACK_SERVICES, servicePort } from '../stack.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(ROOT, 'package.json'));
const SwaggerParser = require('@apidevtools/swagger-parser');

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'];
/** Paths every service serves for itself; the gateway answers its own. */
const SERVICE_LOCAL = new Set(['/health', '/ready', '/openapi.json', '/docs']);

// `ok - ...` / `not ok - ...` lines are what scripts/e2e.mjs counts as checks.
const { failures, fail, ok } = reporter();

const operationsOf = (doc) =>
  Object.entries(doc.paths ?? {}).flatMap(([p, item]) =>
    Object.keys(item)
      .filter((m) => METHODS.includes(m))
      .map((m) => ({ method: m, path: p, op: item[m], shared: item.parameters ?? [] })),
  );

// 1. The documents through the gateway.
const docs = {};
for (const service of SERVICES) {
  const res = await fetch(`${BASE_URL}/docs/${service}/openapi.json`);
  const body = await res.text();
  if (res.status !== 200) {
    fail(`${service}: /docs/${service}/openapi.json answered ${res.status}: ${body.slice(0, 200)}`);
    continue;
  }
  docs[service] = JSON.parse(body);
  ok(`${service}: document served (${operationsOf(docs[service]).length} operations)`);
}

// 2a. OpenAPI 3.0 schema and references.
for (const [service, doc] of Object.entries(docs)) {
  try {
    await SwaggerParser.validate(structuredClone(doc));
    ok(`${service}: valid OpenAPI ${doc.openapi}`);
  } catch (err) {
    // One line per place: ajv reports each problem three ways (oneOf, $ref, additional properties).
    const places = [...new Set(String(err.message).match(/#\/[^\s]+/g) ?? [])];
    const lines = places.length > 0 ? places.map((x) => `  ${x}`) : [`  ${String(err.message).slice(0, 1000)}`];
    fail(
      `${service}: not a valid OpenAPI document, at:\n${lines.slice(0, 25).join('\n')}${lines.length > 25 ? `\n  ... and ${lines.length - 25} more` : ''}`,
    );
  }
}

// 2b. Our rules.
const operationIds = new Map();
for (const [service, doc] of Object.entries(docs)) {
  const problems = [];
  for (const { method, path: p, op } of operationsOf(doc)) {
    const where = `${method.toUpperCase()} ${p}`;
    if (p.startsWith('/internal')) problems.push(`${where}: an internal route in the public document`);
    if (!op.summary || !String(op.summary).trim()) problems.push(`${where}: no summary`);
    const codes = Object.keys(op.responses ?? {});
    if (codes.length === 0) problems.push(`${where}: no responses`);
    for (const code of codes) {
      if (!/^([1-5]\d\d|[1-5]XX|default)$/.test(code)) problems.push(`${where}: response key "${code}" is not a status code`);
      else if (!op.responses[code]?.description && !op.responses[code]?.$ref)
        problems.push(`${where}: response ${code} has no description`);
      // `{ description: a, b }` in a JSDoc YAML flow mapping turns "b" into a key: quote such texts.
      const extra = Object.keys(op.responses[code] ?? {}).filter(
        (k) => !['description', 'headers', 'content', 'links', '$ref'].includes(k) && !k.startsWith('x-'),
      );
      if (extra.length > 0)
        problems.push(
          `${where}: response ${code} has unexpected keys ${extra.map((k) => `"${k}"`).join(', ')} (an unquoted comma in a YAML flow mapping?)`,
        );
    }
    if (op.operationId) {
      const seen = operationIds.get(op.operationId);
      if (seen) problems.push(`${where}: operationId ${op.operationId} already used by ${seen}`);
      operationIds.set(op.operationId, `${service} ${where}`);
    }
  }
  if (problems.length > 0) fail(`${service}: ${problems.length} rule violation(s):\n  ${problems.join('\n  ')}`);
  else ok(`${service}: every operation has a summary and documented responses`);
}

// 2c. redocly lint.
if (process.env.OPENAPI_REDOCLY !== '0' && Object.keys(docs).length > 0) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'canaduck-openapi-'));
  const files = Object.entries(docs).map(([service, doc]) => {
    const file = path.join(dir, `${service}.json`);
    fs.writeFileSync(file, JSON.stringify(doc, null, 2));
    return file;
  });
  const run = spawnSync(
    'npx',
    ['-y', '@redocly/cli@2', 'lint', '--config', path.join(ROOT, 'scripts', 'openapi', 'redocly.yaml'), '--format=stylish', ...files],
    {
      encoding: 'utf8',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      timeout: 300000,
    },
  );
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}`
    .split('\n')
    .filter((l) => !/npm warn|[╔║╚]/.test(l))
    .join('\n')
    .trim();
  if (run.status === 0)
    ok(`redocly lint: no errors${/warning/.test(output) ? ` (${(output.match(/warning/g) ?? []).length} warnings)` : ''}`);
  else fail(`redocly lint failed (exit ${run.status ?? run.signal}):\n${output.slice(-6000)}`);
  fs.rmSync(dir, { recursive: true, force: true });
}

// 3. Every documented operation is routed.
function sampleValue(param) {
  const schema = param.schema ?? {};
  if (param.example !== undefined) return String(param.example);
  if (schema.example !== undefined) return String(schema.example);
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return String(schema.enum[0]);
  if (schema.type === 'integer' || schema.type === 'number') return '1';
  return `probe${Date.now().toString(36)}`;
}

/**
 * One call, bounded: a stream (/events answers text/event-stream and never ends) must not hold the
 * check, so the whole call, body included, is aborted after 10 s, and a stream's body is not read.
 */
async function probe(method, url, withBody) {
  const signal = AbortSignal.timeout(10000);
  const res = await fetch(url, {
    method: method.toUpperCase(),
    headers: withBody ? { 'content-type': 'application/json', accept: 'application/json' } : { accept: 'application/json' },
    body: withBody ? '{}' : undefined,
    redirect: 'manual',
    signal,
  }).catch((err) => ({ status: 0, err }));
  if (res.status === 0) return { status: 0, code: `no answer within 10 s (${res.err?.message ?? res.err})` };
  if (/text\/event-stream/.test(res.headers.get('content-type') ?? '')) {
    await res.body?.cancel().catch(() => {});
    return { status: res.status, code: undefined };
  }
  const text = await res.text().catch(() => '');
  let code;
  try {
    code = JSON.parse(text).code;
  } catch {
    code = undefined;
  }
  return { status: res.status, code };
}

for (const [service, doc] of Object.entries(docs)) {
  const unrouted = [];
  const broken = [];
  for (const { method, path: p, op, shared } of operationsOf(doc)) {
    const params = [...shared, ...(op.parameters ?? [])].map((x) => (x.$ref ? resolveRef(doc, x.$ref) : x));
    const url = `${BASE_URL}${p.replace(/\{(\w+)\}/g, (_, name) => {
      const param = params.find((x) => x.in === 'path' && x.name === name);
      return encodeURIComponent(param ? sampleValue(param) : name === 'service' ? 'user-service' : `probe-${name}`);
    })}`;
    // No token: nothing is changed; the answer only has to come from the service, not the router.
    const { status, code } = await probe(method, url, ['post', 'put', 'patch'].includes(method));
    if (status === 404 && code === 'route_not_found') unrouted.push(`${method.toUpperCase()} ${p}`);
    else if (status === 0 || (status >= 500 && status !== 503 && status !== 504))
      broken.push(`${method.toUpperCase()} ${p} -> ${status} ${code ?? ''}`);
  }
  if (unrouted.length > 0) fail(`${service}: documented but not routed by the gateway (404 route_not_found): ${unrouted.join(', ')}`);
  if (broken.length > 0)
    fail(`${service}: documented operations answering a server error (or nothing) without a token: ${broken.join(', ')}`);
  if (unrouted.length === 0 && broken.length === 0) ok(`${service}: every documented operation answers through the gateway`);
}

function resolveRef(doc, ref) {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce((node, key) => node?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
}

for (const p of ['/internal/users/roger', '/internal/events', '/internal/channels', '/internal/activity']) {
  const { status, code } = await probe(p === '/internal/activity' ? 'post' : 'get', `${BASE_URL}${p}`, p === '/internal/activity');
  if (status !== 404 || code !== 'route_not_found') fail(`${p} must never be routed by the gateway; got ${status} ${code ?? ''}`);
}
ok('/internal routes are not routed');

// 4a. Every prefix of structures.md section 6's routing table is documented.
const structures = fs.readFileSync(path.join(ROOT, 'structures.md'), 'utf8');
const table = structures.slice(structures.indexOf('## 6.'), structures.indexOf('### 6.1') > 0 ? structures.indexOf('### 6.1') : undefined);
const prefixes = [...table.matchAll(/^\|([^|]*`\/[^|]*)\|\s*([^|]+?)\s*\|$/gm)].flatMap((m) =>
  [...m[1].matchAll(/`(\/[^`]+)`/g)].map((x) => ({ prefix: x[1], target: m[2] })),
);
if (prefixes.length < 10) fail(`could not read the routing table of structures.md section 6 (found ${prefixes.length} prefixes)`);
const allPaths = Object.values(docs).flatMap((d) => Object.keys(d.paths ?? {}));
const undocumented = prefixes.filter(({ prefix }) =>
  prefix.endsWith('/*') ? !allPaths.some((p) => p.startsWith(prefix.slice(0, -1))) : !allPaths.includes(prefix),
);
if (undocumented.length > 0) fail(`routed but documented nowhere: ${undocumented.map((u) => `${u.prefix} (${u.target})`).join(', ')}`);
else ok(`all ${prefixes.length} routed prefixes of structures.md section 6 are documented`);

// 4b. What each service documents publicly (its own /openapi.json, served on its own port: the
// routes describe themselves in code) is in its document through the gateway.
for (const service of SERVICES.filter((s) => s !== 'gateway-service' && docs[s])) {
  const svc = STACK_SERVICES.find((s) => s.name === service);
  // <SHORT>_SERVICE_URL when the runner gives it (the containers test: the container's address).
  const ownUrl = process.env[`${svc.short.toUpperCase()}_SERVICE_URL`] ?? `http://127.0.0.1:${servicePort(svc)}`;
  const res = await fetch(`${ownUrl}/openapi.json`).catch((err) => ({ status: 0, err }));
  if (res.status !== 200) {
    fail(`${service}: its own /openapi.json answered ${res.status} ${res.err?.message ?? ''}`);
    continue;
  }
  const own = await res.json();
  const missing = operationsOf(own)
    .filter(({ path: p }) => !p.startsWith('/internal/') && !SERVICE_LOCAL.has(p))
    .filter(({ method, path: p }) => !docs[service].paths?.[p]?.[method])
    .map(({ method, path: p }) => `${method.toUpperCase()} ${p}`);
  if (operationsOf(own).length === 0) fail(`${service}: its own document lists no operation`);
  else if (missing.length > 0)
    fail(`${service}: documented by the service but missing through the gateway (not routed?): ${missing.join(', ')}`);
  else ok(`${service}: every public operation it documents is in its document through the gateway`);
}

if (failures.length > 0) {
  console.error(`40-openapi: ${failures.length} failure(s)`);
  process.exit(1);
}
console.log('40-openapi: documents valid, lint clean, every documented path routed, every routed path documented');
