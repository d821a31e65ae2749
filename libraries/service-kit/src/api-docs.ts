import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV3, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

// Adds `.openapi(...)` to zod schemas (examples, descriptions); zod is one hoisted copy, so once is enough.
extendZodWithOpenApi(z);

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** An answer: a description alone (errors get the shared Error body), or a description and a JSON body. */
export type DocAnswer = string | { description: string; schema?: z.ZodTypeAny; contentType?: string };

export interface DocRoute {
  method: HttpMethod;
  /** Express path (`/channel/:name`); written as `/channel/{name}` in the document. */
  path: string;
  summary: string;
  description?: string;
  /** `user`: a user JWT; `optional-user`: a JWT when sent; `service`: a service token. */
  auth?: 'user' | 'optional-user' | 'service';
  /** Path parameters; each `:param` without a schema here is documented as a string. */
  params?: z.AnyZodObject;
  query?: z.AnyZodObject;
  headers?: z.AnyZodObject;
  /** JSON request body. */
  body?: z.ZodTypeAny;
  responses: Record<number, DocAnswer>;
  tags?: string[];
}

export interface DocInfo {
  title: string;
  description: string;
  version?: string;
}

/** The shared error body of every 4xx/5xx answer (structures.md section 2). */
export const errorBodySchema = z
  .object({
    error: z.string().openapi({ example: 'channel not found' }),
    code: z.string().openapi({ example: 'channel_not_found' }),
  })
  .passthrough()
  .openapi('Error');

/**
 * One service's OpenAPI description, written in code beside the routes from the zod schemas they
 * validate with (no comment blocks to keep in step by hand). createServiceApp serves it.
 */
export class ApiDocs {
  readonly registry = new OpenAPIRegistry();

  constructor() {
    this.registry.register('Error', errorBodySchema);
    this.registry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    this.registry.registerComponent('securitySchemes', 'serviceToken', {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'service token (internal routes)',
    });
  }

  /** Names a schema so that the document refers to it as `#/components/schemas/<name>`. */
  schema<T extends z.ZodTypeAny>(name: string, schema: T): T {
    return this.registry.register(name, schema);
  }

  route(r: DocRoute): void {
    const names = [...r.path.matchAll(/:(\w+)/g)].map((m) => m[1]);
    const params = r.params ?? (names.length ? z.object(Object.fromEntries(names.map((n) => [n, z.string()]))) : undefined);
    const config: RouteConfig = {
      method: r.method,
      path: r.path.replace(/:(\w+)/g, '{$1}'),
      summary: r.summary,
      description: r.description,
      tags: r.tags,
      security:
        r.auth === 'user'
          ? [{ bearerAuth: [] }]
          : r.auth === 'service'
            ? [{ serviceToken: [] }]
            : r.auth === 'optional-user'
              ? [{}, { bearerAuth: [] }]
              : undefined,
      request: {
        params,
        query: r.query,
        headers: r.headers,
        body: r.body ? { required: true, content: { 'application/json': { schema: r.body } } } : undefined,
      },
      responses: Object.fromEntries(Object.entries(r.responses).map(([status, answer]) => [status, responseOf(Number(status), answer)])),
    };
    this.registry.registerPath(config);
  }

  document(info: DocInfo): Record<string, unknown> {
    const generator = new OpenApiGeneratorV3(this.registry.definitions);
    const doc = generator.generateDocument({
      openapi: '3.0.3',
      info: { title: info.title, version: info.version ?? '1.0.0', description: info.description },
    }) as unknown as Record<string, unknown>;
    dropUntypedNullable(doc);
    return doc;
  }
}

/**
 * `z.unknown()` comes out as `{ nullable: true }`, which OpenAPI 3.0 forbids (`nullable` needs a
 * `type` beside it; redocly's nullable-type-sibling): a schema with no type already means any
 * value, so the flag is dropped there and only there.
 */
function dropUntypedNullable(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) dropUntypedNullable(item);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const o = node as Record<string, unknown>;
  if (o.nullable === true && !('type' in o) && !('$ref' in o) && !o.allOf && !o.oneOf && !o.anyOf) delete o.nullable;
  for (const value of Object.values(o)) dropUntypedNullable(value);
}

function responseOf(status: number, answer: DocAnswer) {
  const { description, schema, contentType } =
    typeof answer === 'string' ? { description: answer, schema: undefined, contentType: undefined } : answer;
  const body = schema ?? (status >= 400 ? errorBodySchema : undefined);
  return body ? { description, content: { [contentType ?? 'application/json']: { schema: body } } } : { description };
}
