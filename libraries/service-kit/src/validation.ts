import { z } from 'zod';
import { BadRequestError, ValidationError } from '@canaduck/errors';

/**
 * Parses input with a zod schema. A missing field or a wrong JSON type is a 400
 * (the request is malformed); a well-formed value that breaks a rule is a 422.
 */
export function parseInput<T extends z.ZodTypeAny>(schema: T, input: unknown, what = 'body'): z.infer<T> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues;
  // zod reports a fraction where an integer is expected as invalid_type, but 1.5 is a
  // well-typed JSON number that breaks a rule (422), not a malformed request (400).
  const wrongType = (i: z.ZodIssue) => i.code === 'invalid_type' && !(i.expected === 'integer' && i.received === 'float');
  const malformed = issues.some((i) => wrongType(i) || i.code === 'unrecognized_keys' || i.code === 'invalid_union');
  const text = issues
    .slice(0, 5)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
  const fields = issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
  if (malformed) throw new BadRequestError(`invalid ${what}: ${text}`, 'invalid_input', { fields });
  throw new ValidationError(`invalid ${what}: ${text}`, 'validation_failed', { fields });
}

/** A query string parsed with a zod schema: every parameter taken once (`single`), errors as parseInput's for 'query'. */
export function parseQuery<T extends z.ZodTypeAny>(schema: T, query: Record<string, unknown>): z.infer<T> {
  return parseInput(schema, Object.fromEntries(Object.entries(query).map(([name, value]) => [name, single(value)])), 'query');
}

export interface Paging {
  offset: number;
  limit: number;
}

/**
 * The deepest `offset` a list accepts: a deeper one makes the database walk (and throw away) the
 * whole index range before it, so one client could keep it busy. Lists that go further page with
 * a `before` cursor (message lists answer `next_before`).
 */
export const MAX_PAGING_OFFSET = 10_000;

/** `?offset=&limit=` with defaults and bounds; garbage is a 400, never a crash. */
export function parsePaging(
  query: Record<string, unknown>,
  defaults: { limit?: number; maxLimit?: number; maxOffset?: number } = {},
): Paging {
  const maxLimit = defaults.maxLimit ?? 200;
  const parsed = pagingSchema(maxLimit, defaults.limit ?? 50).safeParse({ offset: single(query.offset), limit: single(query.limit) });
  if (!parsed.success) {
    throw new BadRequestError(`invalid paging: offset must be >= 0 and limit between 1 and ${maxLimit}`, 'invalid_paging');
  }
  const maxOffset = defaults.maxOffset ?? MAX_PAGING_OFFSET;
  if (parsed.data.offset > maxOffset) throw offsetTooLarge(maxOffset);
  return parsed.data;
}

/** 400 `offset_too_large`: the way further is the `before` cursor. */
export function offsetTooLarge(maxOffset: number): BadRequestError {
  return new BadRequestError(
    `offset is at most ${maxOffset}: to go further, page with before=<the last id you got> (next_before of the previous page)`,
    'offset_too_large',
  );
}

/**
 * Building the zod schema on every call showed in the hot read paths' profiles (bench/findings.md);
 * the schemas depend only on the two bounds, which callers pass as constants, so each pair is
 * built once.
 */
const pagingSchemas = new Map<string, z.ZodType<Paging, z.ZodTypeDef, unknown>>();

function pagingSchema(maxLimit: number, defaultLimit: number): z.ZodType<Paging, z.ZodTypeDef, unknown> {
  const key = `${maxLimit}:${defaultLimit}`;
  let schema = pagingSchemas.get(key);
  if (!schema) {
    schema = z.object({
      offset: z.coerce.number().int().min(0).max(1_000_000_000).default(0),
      limit: z.coerce.number().int().min(1).max(maxLimit).default(defaultLimit),
    });
    pagingSchemas.set(key, schema);
  }
  return schema;
}

/** A query parameter given twice arrives as an array; take a single string or nothing. */
export function single(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  return undefined;
}

/** `next_offset` for a page: null when this page was the last. */
export function nextOffset(paging: Paging, returned: number): number | null {
  return returned < paging.limit ? null : paging.offset + returned;
}
