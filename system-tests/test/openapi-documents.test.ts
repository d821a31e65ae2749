import SwaggerParser from '@apidevtools/swagger-parser';
import { ApiDocs } from '@canaduck/service-kit';
import { apiServices } from './helpers/repo';
import { type Closer, serviceDocument } from './helpers/service-documents';

/**
 * Every service's OpenAPI document, generated from the routes' zod schemas (its built app's
 * /openapi.json), must be a valid OpenAPI 3.0 document without stray keys: metadata handed to
 * the generator (`.openapi({...})`, a raw response object) is copied as it is, so a key
 * OpenAPI does not know, or one without a value, would reach the document unnoticed.
 */

type Operation = { summary?: string; responses?: Record<string, Record<string, unknown>> };
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'];
/** The keys OpenAPI 3.0 allows in a Response object (plus `x-` extensions). */
const RESPONSE_KEYS = ['description', 'content', 'headers', 'links', '$ref'];

/** "where: problem" lines for every stray key of a response, operation without summary or responses. */
function ruleViolations(doc: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const checkResponse = (where: string, response: Record<string, unknown>) => {
    const extra = Object.keys(response).filter((k) => !RESPONSE_KEYS.includes(k) && !k.startsWith('x-'));
    if (extra.length > 0) problems.push(`${where}: unexpected keys ${extra.map((k) => `"${k}"`).join(', ')}`);
    if (!response.description && !response.$ref) problems.push(`${where}: no description`);
  };
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Operation>>;
  for (const [p, item] of Object.entries(paths)) {
    for (const method of Object.keys(item).filter((m) => METHODS.includes(m))) {
      const op = item[method];
      const where = `${method.toUpperCase()} ${p}`;
      if (!op.summary?.trim()) problems.push(`${where}: no summary`);
      const responses = Object.entries(op.responses ?? {});
      if (responses.length === 0) problems.push(`${where}: no responses`);
      for (const [code, response] of responses) checkResponse(`${where} ${code}`, response);
    }
  }
  const shared = ((doc.components as { responses?: Record<string, Record<string, unknown>> } | undefined)?.responses ?? {}) as Record<
    string,
    Record<string, unknown>
  >;
  for (const [name, response] of Object.entries(shared)) checkResponse(`components.responses.${name}`, response);
  return problems;
}

/**
 * Keys without a value anywhere in the document: `{ in: query, description: a, b }` makes
 * "b" a key holding null, in parameters and schemas as well as responses. OpenAPI has no
 * null-valued fields (example values, where null is data, are not walked), so each one is
 * a stray key.
 */
const EXAMPLE_KEYS = ['example', 'examples', 'default', 'enum'];
function nullKeys(node: unknown, where = '#'): string[] {
  if (Array.isArray(node)) return node.flatMap((v, i) => nullKeys(v, `${where}/${i}`));
  if (!node || typeof node !== 'object') return [];
  return Object.entries(node as Record<string, unknown>).flatMap(([k, v]) => {
    if (EXAMPLE_KEYS.includes(k)) return [];
    const at = `${where}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    return v === null ? [at] : nullKeys(v, at);
  });
}

const services = apiServices().map((s) => s.name);

describe('the services\u2019 OpenAPI documents', () => {
  it('when the launcher is read, then the six services with a REST API are listed', () => {
    expect(services.sort()).toEqual([
      'channel-service',
      'gateway-service',
      'message-service',
      'realtime-service',
      'stats-service',
      'user-service',
    ]);
  });

  describe.each(services)('%s', (service) => {
    let doc: Record<string, unknown> = {};
    const closers: Closer[] = [];
    beforeAll(async () => {
      doc = await serviceDocument(service, closers);
    });
    afterAll(async () => {
      for (const close of closers.reverse()) await close();
    });

    it('when built from its routes, then it documents operations', () => {
      expect(Object.keys((doc.paths ?? {}) as object).length).toBeGreaterThan(0);
    });

    it('when validated, then it is a valid OpenAPI 3.0 document whose references resolve', async () => {
      await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
    });

    it('when read, then every operation has a summary and responses, and responses hold no stray keys', () => {
      expect(ruleViolations(doc)).toEqual([]);
    });

    it('when walked, then no key anywhere is a stray one without a value', () => {
      expect(nullKeys(doc)).toEqual([]);
    });
  });

  it('when a generated document carries a stray response key, then the checks report it', async () => {
    const docs = new ApiDocs();
    docs.route({ method: 'get', path: '/x', summary: 'probe', responses: { 200: 'fine' } });
    // What a response with an unquoted comma in its description used to become, handed to the generator.
    docs.registry.registerPath({
      method: 'get',
      path: '/y',
      summary: 'probe',
      responses: { 404: { description: 'unknown message', 'or no such reaction': null } as never },
    });
    const doc = docs.document({ title: 'probe', description: 'probe' });
    expect(ruleViolations(doc)).toEqual(['GET /y 404: unexpected keys "or no such reaction"']);
    expect(nullKeys(doc)).toEqual(['#/paths/~1y/get/responses/404/or no such reaction']);
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).rejects.toThrow(/404/);
  });
});
