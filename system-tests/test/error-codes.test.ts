import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './helpers/repo';
import { productSources, readCatalogue, scanSources, type CodeUse } from './helpers/error-codes';

/** code -> where it is used, from a scan. */
function byCode(uses: CodeUse[]): Map<string, CodeUse[]> {
  const map = new Map<string, CodeUse[]>();
  for (const u of uses) map.set(u.code, [...(map.get(u.code) ?? []), u]);
  return map;
}

describe('the error-code scanner', () => {
  const errorsLibrary = {
    name: 'libraries/errors/src/app-errors.ts',
    text: [
      'export class AppError extends Error {',
      '  constructor(public readonly status: number, public readonly code: string, message: string) { super(message); }',
      '}',
      "export class NotFoundError extends AppError { constructor(message = 'not found', code = 'not_found') { super(404, code, message); } }",
      "export class ValidationError extends AppError { constructor(message: string, code = 'validation_failed', details?: object) { super(422, code, message); } }",
      "export class TooManyRequestsError extends AppError { constructor(message = 'slow down') { super(429, 'rate_limited', message); } }",
    ].join('\n'),
  };
  const service = {
    name: 'probe-service/src/domain/probe.ts',
    text: [
      "import { NotFoundError, ValidationError, TooManyRequestsError } from '@canaduck/errors';",
      "class ChannelGone extends NotFoundError { constructor(name: string) { super(`#${name} (gone, really)`, 'channel_gone'); } }",
      'export function find(x: unknown) {',
      "  if (!x) throw new NotFoundError(`no ${x}, sorry (really)`,\n    'probe_missing');",
      "  if (x === 1) throw new NotFoundError('default code');",
      '  if (x === 2) throw new ChannelGone(String(x));',
      '  if (x === 3) throw new TooManyRequestsError();',
      "  if (x === 4) throw invalid('empty', 'probe_empty');",
      "  // throw new NotFoundError('in a comment', 'commented_out');",
      "  const message = \"new NotFoundError('in a string', 'quoted')\";",
      "  return { error: message, code: 'probe_json', kind: { code: z.ZodIssueCode.custom } };",
      '}',
      'function invalid(message: string, code: string) {',
      '  return new ValidationError(message, code, { fields: [] });',
      '}',
    ].join('\n'),
  };

  it('when error classes, their defaults, subclasses, forwarding helpers and JSON answers use codes, then each one is found with its status', () => {
    const { uses, problems } = scanSources([errorsLibrary, service]);
    expect(problems).toEqual([]);
    const found = byCode(uses);
    expect([...found.keys()].sort()).toEqual(
      ['channel_gone', 'not_found', 'probe_empty', 'probe_json', 'probe_missing', 'rate_limited'].sort(),
    );
    expect(found.get('probe_missing')?.map((u) => [u.status, u.at])).toEqual([[404, 'probe-service/src/domain/probe.ts:4']]);
    expect(found.get('channel_gone')?.[0].status).toBe(404);
    expect(found.get('probe_empty')?.[0].status).toBe(422);
    expect(found.get('rate_limited')?.[0].status).toBe(429);
    expect(found.get('probe_json')?.[0].status).toBeUndefined();
  });

  it('when a code is computed rather than written, then the scanner reports it', () => {
    const dynamic = {
      name: 'probe-service/src/dynamic.ts',
      text: "const kind = 'probe';\nexport const e = () => new NotFoundError('gone', `${kind}_not_found`);\n",
    };
    expect(scanSources([errorsLibrary, dynamic]).problems).toEqual([
      'probe-service/src/dynamic.ts:2: new NotFoundError(...) with a code that is not a literal: `${kind}_not_found`',
    ]);
  });

  it('when the catalogue is read, then each row gives its code and statuses, and text outside the section is ignored', () => {
    const markdown = [
      '## 2. Bodies',
      '| `elsewhere` | 400 | not in the section | x |',
      '### Error codes',
      '| code | status | meaning | services |',
      '| --- | --- | --- | --- |',
      '| `probe_missing` | 404 | no probe | probe-service |',
      '| `request_timeout` | 408, 503 | too slow | all |',
      '## 3. Names',
      '| `after` | 400 | not in the section either | x |',
    ].join('\n');
    expect(readCatalogue(markdown).map((e) => [e.code, e.statuses])).toEqual([
      ['probe_missing', [404]],
      ['request_timeout', [408, 503]],
    ]);
  });
});

describe('the error-code catalogue (structures.md)', () => {
  const catalogue = readCatalogue(fs.readFileSync(path.join(ROOT, 'structures.md'), 'utf8'));
  const listed = new Map(catalogue.map((e) => [e.code, e]));
  const { uses, problems } = scanSources(productSources(ROOT));
  const used = byCode(uses);

  it('when the sources are scanned, then every code is a literal the scan can read', () => {
    expect(problems).toEqual([]);
    expect(used.size).toBeGreaterThan(50);
  });

  it('when a code is used in the sources, then the catalogue lists it', () => {
    const missing = [...used].filter(([code]) => !listed.has(code)).map(([code, at]) => `${code} (${at.map((u) => u.at).join(', ')})`);
    expect(missing).toEqual([]);
  });

  it('when the catalogue lists a code, then something uses it', () => {
    expect(catalogue.map((e) => e.code).filter((code) => !used.has(code))).toEqual([]);
  });

  it('when a code is listed, then it is listed once, with a status, a meaning and its services', () => {
    expect(catalogue.length).toBe(listed.size);
    expect(catalogue.filter((e) => e.statuses.length === 0 || !e.meaning || !e.services).map((e) => e.code)).toEqual([]);
  });

  it('when an error class gives a code its status, then the catalogue lists that status', () => {
    const wrong = uses
      .filter((u) => u.status !== undefined && listed.has(u.code) && !listed.get(u.code)!.statuses.includes(u.status))
      .map((u) => `${u.code}: ${u.status} at ${u.at}, listed ${listed.get(u.code)!.statuses.join(', ')}`);
    expect(wrong).toEqual([]);
  });
});
