import { z } from 'zod';
import { AppError, BadRequestError, ValidationError } from '@canaduck/errors';
import { channelSchema, nextOffset, parseInput, parsePaging, parseQuery, pseudoSchema, single } from '@canaduck/service-kit';

function thrownBy(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

describe('parseInput', () => {
  const body = z.object({ pseudo: pseudoSchema, text: z.string().min(1).max(10), count: z.number().int().optional() }).strict();

  it('when the input is valid, then the parsed value is returned', () => {
    expect(parseInput(body, { pseudo: 'roger', text: 'hi' })).toEqual({ pseudo: 'roger', text: 'hi' });
  });

  it('when a field is missing, then it is a 400 invalid_input naming the field', () => {
    const err = thrownBy(() => parseInput(body, { pseudo: 'roger' }));
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.status).toBe(400);
    expect(err.code).toBe('invalid_input');
    expect(err.message).toBe('invalid body: text: Required');
    expect(err.details).toEqual({ fields: [{ field: 'text', message: 'Required' }] });
  });

  it('when a field has the wrong JSON type, then it is a 400', () => {
    expect(thrownBy(() => parseInput(body, { pseudo: 'roger', text: 42 })).status).toBe(400);
    expect(thrownBy(() => parseInput(body, { pseudo: ['roger'], text: 'x' })).status).toBe(400);
  });

  it('when an unknown field is sent to a strict schema, then it is a 400', () => {
    const err = thrownBy(() => parseInput(body, { pseudo: 'roger', text: 'x', admin: true }));
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/admin/);
  });

  it('when the body is absent, null or not an object, then it is a 400', () => {
    expect(thrownBy(() => parseInput(body, undefined)).status).toBe(400);
    expect(thrownBy(() => parseInput(body, null)).status).toBe(400);
    expect(thrownBy(() => parseInput(body, [1, 2])).status).toBe(400);
    expect(thrownBy(() => parseInput(body, 'text')).status).toBe(400);
  });

  it('when a well-formed value breaks a rule, then it is a 422 validation_failed', () => {
    const err = thrownBy(() => parseInput(body, { pseudo: '1roger', text: 'x'.repeat(11) }));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.status).toBe(422);
    expect(err.code).toBe('validation_failed');
    expect((err.details as { fields: Array<{ field: string }> }).fields.map((f) => f.field)).toEqual(['pseudo', 'text']);
  });

  it('when a value is both missing somewhere and wrong elsewhere, then the malformed request wins: 400', () => {
    expect(thrownBy(() => parseInput(body, { pseudo: '1roger' })).status).toBe(400);
  });

  it('when an integer field gets a fraction, then it is a rule violation: 422', () => {
    expect(thrownBy(() => parseInput(body, { pseudo: 'roger', text: 'x', count: 1.5 })).status).toBe(422);
  });

  it('when a union gets a value of none of its types, then it is a 400', () => {
    expect(thrownBy(() => parseInput(z.object({ v: z.union([z.string(), z.number()]) }), { v: true })).status).toBe(400);
  });

  it('when many fields are wrong, then the message lists five and details list all', () => {
    const wide = z.object(Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`f${i}`, z.string().min(5)])));
    const err = thrownBy(() => parseInput(wide, Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`f${i}`, 'x']))));
    expect(err.message.split(';')).toHaveLength(5);
    expect((err.details as { fields: unknown[] }).fields).toHaveLength(7);
  });

  it('when a name for the input is given, then the message uses it', () => {
    expect(thrownBy(() => parseInput(z.object({ q: z.string() }), {}, 'query')).message).toBe('invalid query: q: Required');
  });

  it('when the channel schema reads a name, then it normalises it or refuses it with a 422', () => {
    const s = z.object({ channel: channelSchema });
    expect(parseInput(s, { channel: '#Tech' })).toEqual({ channel: 'tech' });
    expect(thrownBy(() => parseInput(s, { channel: 'no spaces' })).status).toBe(422);
    expect(thrownBy(() => parseInput(s, { channel: 'x'.repeat(51) })).status).toBe(422);
    expect(thrownBy(() => parseInput(s, { channel: 7 })).status).toBe(400);
  });
});

describe('parseQuery', () => {
  const schema = z.object({ from: pseudoSchema, channel: channelSchema.optional() });

  it('when each parameter is given once, then the schema parses them and drops the others', () => {
    expect(parseQuery(schema, { from: 'roger', channel: 'tech', other: 'x' })).toEqual({ from: 'roger', channel: 'tech' });
  });

  it('when a parameter is given twice or empty, then it counts as missing: 400 invalid_input naming the query', () => {
    const thrown = (() => {
      try {
        parseQuery(schema, { from: ['roger', 'bob'], channel: '' });
      } catch (err) {
        return err;
      }
    })();
    expect(thrown).toBeInstanceOf(BadRequestError);
    expect(thrown).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/^invalid query: from: /) });
  });

  it('when a parameter breaks a rule, then 422 validation_failed', () => {
    expect(() => parseQuery(schema, { from: 'no spaces allowed' })).toThrow(ValidationError);
  });
});

describe('parsePaging', () => {
  it('when nothing is given, then offset 0 and limit 50', () => {
    expect(parsePaging({})).toEqual({ offset: 0, limit: 50 });
  });

  it('when values are given, then they are read as integers', () => {
    expect(parsePaging({ offset: '100', limit: '200' })).toEqual({ offset: 100, limit: 200 });
  });

  it('when a route sets its own defaults, then they apply', () => {
    expect(parsePaging({}, { limit: 20, maxLimit: 1000 })).toEqual({ offset: 0, limit: 20 });
    expect(parsePaging({ limit: '1000' }, { maxLimit: 1000 })).toEqual({ offset: 0, limit: 1000 });
  });

  it('when offset is past 10,000, then 400 offset_too_large pointing to the before cursor', () => {
    expect(parsePaging({ offset: '10000' })).toEqual({ offset: 10_000, limit: 50 });
    const err = thrownBy(() => parsePaging({ offset: '10001' }));
    expect(err.status).toBe(400);
    expect(err.code).toBe('offset_too_large');
    expect(err.message).toContain('before=');
    expect(thrownBy(() => parsePaging({ offset: '101' }, { maxOffset: 100 })).code).toBe('offset_too_large');
  });

  it('when a parameter is empty, then its default applies', () => {
    expect(parsePaging({ offset: '', limit: '' })).toEqual({ offset: 0, limit: 50 });
  });

  it.each([
    [{ offset: '-1' }],
    [{ offset: 'abc' }],
    [{ offset: '1.5' }],
    [{ offset: '2000000000' }],
    [{ limit: '0' }],
    [{ limit: '201' }],
    [{ limit: 'ten' }],
  ])('when paging is %p, then it is a 400 invalid_paging', (query) => {
    const err = thrownBy(() => parsePaging(query));
    expect(err.status).toBe(400);
    expect(err.code).toBe('invalid_paging');
    expect(err.message).toBe('invalid paging: offset must be >= 0 and limit between 1 and 200');
  });

  it('when a parameter is repeated (an array), then it is ignored rather than crashing', () => {
    expect(parsePaging({ limit: ['1', '2'] })).toEqual({ offset: 0, limit: 50 });
  });
});

describe('single and nextOffset', () => {
  it('when single reads query values, then only a non-empty string passes', () => {
    expect(single('tech')).toBe('tech');
    expect(single('')).toBeUndefined();
    expect(single(['a', 'b'])).toBeUndefined();
    expect(single(undefined)).toBeUndefined();
    expect(single({ a: 1 })).toBeUndefined();
  });

  it('when a page is full, then the next offset follows it; when it is short, then it is null', () => {
    expect(nextOffset({ offset: 0, limit: 50 }, 50)).toBe(50);
    expect(nextOffset({ offset: 100, limit: 50 }, 50)).toBe(150);
    expect(nextOffset({ offset: 100, limit: 50 }, 49)).toBeNull();
    expect(nextOffset({ offset: 0, limit: 50 }, 0)).toBeNull();
  });
});
