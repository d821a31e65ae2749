import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import fc from 'fast-check';
import { hasBody, outgoingHeaders } from '../src/proxy/request-headers';

function fakeRequest(method: string, headers: IncomingHttpHeaders, encrypted = false): IncomingMessage {
  return { method, url: '/msg', headers, socket: { remoteAddress: '127.0.0.1', encrypted } } as unknown as IncomingMessage;
}

function asObject(flat: string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < flat.length; i += 2) {
    const prior = out[flat[i]];
    out[flat[i]] = prior === undefined ? flat[i + 1] : ([] as string[]).concat(prior, flat[i + 1]);
  }
  return out;
}

describe('outgoingHeaders', () => {
  test('when a plain request goes out, then the client headers pass and X-Forwarded-* are set', () => {
    const out = asObject(outgoingHeaders(fakeRequest('GET', { host: 'gw:5004', authorization: 'Bearer a.b.c', 'x-request-id': 'r1' })));
    expect(out).toEqual({
      host: 'gw:5004',
      authorization: 'Bearer a.b.c',
      'x-request-id': 'r1',
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-port': '5004',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'gw:5004',
    });
  });

  test('when forwarded headers already came, then the gateway appends port and proto, keeps the first host, and sets X-Forwarded-For to the client address it resolved', () => {
    const out = asObject(
      outgoingHeaders(
        fakeRequest(
          'GET',
          {
            host: 'gw',
            'x-forwarded-for': '203.0.113.1',
            'x-forwarded-port': '443',
            'x-forwarded-proto': 'https',
            'x-forwarded-host': 'public.example',
          },
          true,
        ),
        '203.0.113.1',
      ),
    );
    expect(out).toMatchObject({
      'x-forwarded-for': '203.0.113.1',
      'x-forwarded-port': '443,443',
      'x-forwarded-proto': 'https,https',
      'x-forwarded-host': 'public.example',
    });
  });

  test('when the client sends hop-by-hop headers or names some in Connection, then none of them goes upstream', () => {
    const out = asObject(
      outgoingHeaders(
        fakeRequest('POST', {
          host: 'gw',
          connection: 'close, x-secret-hop',
          'keep-alive': 'timeout=5',
          'transfer-encoding': 'chunked',
          upgrade: 'websocket',
          expect: '100-continue',
          te: 'trailers',
          'x-secret-hop': '1',
          'content-type': 'application/json',
        }),
      ),
    );
    for (const name of ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'expect', 'te', 'x-secret-hop'])
      expect(out[name]).toBeUndefined();
    expect(out['content-type']).toBe('application/json');
  });

  test('when any request goes out, then every end-to-end header of the client is passed on once, unchanged', () => {
    const name = fc.constantFrom('accept', 'authorization', 'content-type', 'content-length', 'x-request-id', 'origin', 'cookie');
    fc.assert(
      fc.property(fc.dictionary(name, fc.string({ minLength: 1, maxLength: 8 })), (h) => {
        const out = asObject(outgoingHeaders(fakeRequest('GET', { host: 'gw', ...h })));
        for (const [k, v] of Object.entries(h)) expect(out[k]).toBe(v);
      }),
      { numRuns: 500 },
    );
  });
});

describe('hasBody', () => {
  test.each([
    [{}, false],
    [{ 'content-length': '0' }, false],
    [{ 'content-length': '12' }, true],
    [{ 'transfer-encoding': 'chunked' }, true],
  ] as Array<[IncomingHttpHeaders, boolean]>)('when the headers are %j, then a body is %s', (h, expected) => {
    expect(hasBody(fakeRequest('POST', h))).toBe(expected);
  });
});
