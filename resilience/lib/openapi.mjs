// Operations from the services' OpenAPI documents, and fast-check arbitraries that
// build requests for them: values from the schemas, plus garbage and attack strings.
import fc from 'fast-check';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** Attack strings tried in every slot (path parameter, query parameter, body field). */
export const INJECTIONS = [
  "' OR '1'='1",
  '1; DROP TABLE messages; --',
  "x' UNION SELECT password FROM users --",
  '{"$gt":""}',
  '{"$ne":null}',
  '../../../../etc/passwd',
  '..%2f..%2f..%2fetc%2fpasswd',
  '/etc/passwd\u0000.png',
  'a\r\nX-Injected: 1',
  'a%0d%0aSet-Cookie: injected=1',
  '\u0000',
  'a\u0000b',
  '%',
  '_',
  '%_%',
  '\\',
  '<script>alert(1)</script>',
  '${7*7}{{7*7}}',
  '\u202e\u202dgnp.exe',
  '\ud800',
  '🦆'.repeat(600),
  'é'.repeat(1500),
  'a\u0301\u0302\u0303'.repeat(400),
  '-1',
  '99999999999999999999999',
  '1e309',
  'NaN',
  'null',
  ' ',
];

/** Values of the wrong JSON type or shape, tried in body fields. */
export const WRONG_TYPES = [null, 123, 1.5, true, ['a'], {}, { $ne: null }, '🦆'.repeat(30000)];

/** Percent-encodes any string for a URL path segment, lone surrogates included. */
export function encodeSegment(s) {
  let out = '';
  for (const byte of Buffer.from(String(s), 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function queryString(query) {
  const parts = [];
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v])
      parts.push(`${encodeSegment(k)}=${encodeSegment(typeof one === 'string' ? one : JSON.stringify(one))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

function resolve(doc, schema, depth = 0) {
  if (!schema || depth > 8) return schema;
  if (schema.$ref) {
    const target = schema.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce((o, k) => o?.[k], doc);
    return resolve(doc, target, depth + 1);
  }
  if (schema.allOf) {
    const parts = schema.allOf.map((s) => resolve(doc, s, depth + 1));
    return {
      type: 'object',
      properties: Object.assign({}, ...parts.map((p) => p?.properties ?? {})),
      required: parts.flatMap((p) => p?.required ?? []),
    };
  }
  if (schema.oneOf || schema.anyOf) return resolve(doc, (schema.oneOf ?? schema.anyOf)[0], depth + 1);
  const out = { ...schema };
  if (out.properties) out.properties = Object.fromEntries(Object.entries(out.properties).map(([k, v]) => [k, resolve(doc, v, depth + 1)]));
  if (out.items) out.items = resolve(doc, out.items, depth + 1);
  return out;
}

/** The public operations of one document: { method, path, params[], body, service }. */
export function operationsOf(doc, service) {
  const ops = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    if (/^\/internal\b/.test(path) || path === '/docs' || path === '/openapi.json') continue;
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const params = [...(item.parameters ?? []), ...(op.parameters ?? [])]
        .map((p) => resolve(doc, p))
        .filter((p) => p && ['path', 'query'].includes(p.in));
      for (const name of [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1])) {
        if (!params.some((p) => p.in === 'path' && p.name === name))
          params.push({ name, in: 'path', required: true, schema: { type: 'string' } });
      }
      const body = resolve(doc, op.requestBody?.content?.['application/json']?.schema);
      ops.push({ method: method.toUpperCase(), path, params, body, service, id: `${method.toUpperCase()} ${path}` });
    }
  }
  return ops;
}

/** A valid-looking value for a slot, from its name (the suite's own fixtures) or its schema. */
export function validValue(name, schema, values) {
  const key = name.toLowerCase();
  for (const [pattern, value] of values) if (pattern.test(key)) return value;
  if (schema?.example !== undefined) return schema.example;
  if (schema?.enum) return schema.enum[0];
  switch (schema?.type) {
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object':
      return {};
    default:
      return 'hello';
  }
}

/** A valid-looking body for an operation. */
export function validBody(op, values) {
  const props = op.body?.properties ?? {};
  return Object.fromEntries(Object.entries(props).map(([k, s]) => [k, validValue(k, s, values)]));
}

// ---- fast-check arbitraries ---------------------------------------------------------

const garbageString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', minLength: 200, maxLength: 400 }),
  fc.constantFrom(...INJECTIONS),
);

export function arbFromSchema(schema, depth = 0) {
  if (!schema || depth > 4) return fc.jsonValue({ maxDepth: 2 });
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'string': {
      let a;
      if (schema.format === 'email') a = fc.emailAddress();
      else if (schema.format === 'date-time')
        a = fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map((d) => d.toISOString());
      else if (schema.format === 'uri') a = fc.webUrl();
      else if (schema.pattern) {
        try {
          a = fc.stringMatching(new RegExp(schema.pattern));
        } catch {
          a = fc.string();
        }
      } else a = fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 80, 500) });
      const over = schema.maxLength ? [fc.constant('x'.repeat(schema.maxLength + 1))] : [];
      return fc.oneof({ arbitrary: a, weight: 4 }, ...over.map((o) => ({ arbitrary: o, weight: 1 })));
    }
    case 'integer':
      return fc.oneof(
        fc.integer({ min: schema.minimum ?? -10, max: Math.min(schema.maximum ?? 1000, 1e9) }),
        fc.constantFrom(0, -1, 2 ** 31, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER),
      );
    case 'number':
      return fc.double({ noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(arbFromSchema(schema.items, depth + 1), { maxLength: Math.min(schema.maxItems ?? 5, 20) });
    case 'object': {
      const props = schema.properties ?? {};
      if (Object.keys(props).length === 0)
        return fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 4 });
      return fc.record(Object.fromEntries(Object.entries(props).map(([k, s]) => [k, arbFromSchema(s, depth + 1)])), {
        requiredKeys: (schema.required ?? []).filter((k) => k in props),
      });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** A slot value: mostly schema-shaped or the suite's valid value, often garbage, sometimes the wrong type. */
function slotArb(name, schema, values, { body }) {
  const choices = [
    { arbitrary: arbFromSchema(schema), weight: 3 },
    { arbitrary: fc.constant(validValue(name, schema, values)), weight: 2 },
    { arbitrary: garbageString, weight: 3 },
  ];
  if (body) choices.push({ arbitrary: fc.constantFrom(...WRONG_TYPES.slice(0, -1)), weight: 1 });
  return fc.oneof(...choices);
}

/**
 * A request case for one operation: path values, query, body (an object, any JSON,
 * or raw malformed text) and which caller sends it.
 */
export function caseArb(op, values, authKinds) {
  const pathParams = op.params.filter((p) => p.in === 'path');
  const queryParams = op.params.filter((p) => p.in === 'query');
  const pathArb = fc.record(Object.fromEntries(pathParams.map((p) => [p.name, slotArb(p.name, p.schema, values, { body: false })])));
  const queryArb = fc.record(
    Object.fromEntries([
      ...queryParams.map((p) => [p.name, slotArb(p.name, p.schema, values, { body: false })]),
      ['__extra', fc.constantFrom('limit', 'offset', 'q', '__proto__', 'constructor')],
    ]),
    { requiredKeys: [] },
  );
  const hasBody = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(op.method);
  const props = op.body?.properties ?? {};
  const bodyRecord = fc.record(
    Object.fromEntries([
      ...Object.entries(props).map(([k, s]) => [k, slotArb(k, s, values, { body: true })]),
      ['from', fc.constantFrom('rsadmin', 'someone')],
    ]),
    { requiredKeys: [] },
  );
  const bodyArb = hasBody
    ? fc.oneof(
        { arbitrary: bodyRecord.map((b) => ({ json: b })), weight: 6 },
        { arbitrary: fc.jsonValue({ maxDepth: 3 }).map((j) => ({ json: j })), weight: 2 },
        {
          arbitrary: fc
            .constantFrom('{', '{"a":', '[1,2', '{"text": "\\u12"}', 'null', '"just a string"', '\u0000', '{"a":1}garbage')
            .map((raw) => ({ raw })),
          weight: 1,
        },
      )
    : fc.constant(undefined);
  return fc.record({ path: pathArb, query: queryArb, body: bodyArb, auth: fc.constantFrom(...authKinds) });
}

/** Turns a case into { method, url, body|raw, sentStrings } for the http client. */
export function buildRequest(op, c) {
  let path = op.path;
  for (const [k, v] of Object.entries(c.path)) path = path.replace(`{${k}}`, encodeSegment(typeof v === 'string' ? v : JSON.stringify(v)));
  const query = { ...c.query };
  if (query.__extra !== undefined) {
    const k = query.__extra;
    delete query.__extra;
    query[k] = ['1', 'x'];
  }
  return { method: op.method, path: path + queryString(query), body: c.body?.json, raw: c.body?.raw };
}
