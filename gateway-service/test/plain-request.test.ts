import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import url from 'node:url';
import fc from 'fast-check';
import { isPlainRequest, outgoingHeaders } from '../src/proxy/plain-request';

// http-proxy's own steps (what the gateway did for every request before the fast path), to
// check the fast path against them rather than against a copy of their rules.
interface Outgoing {
  path: string;
  headers: Record<string, string | string[]>;
}
type Pass = (req: unknown, res: unknown, options: unknown) => void;
const common = require('http-proxy/lib/http-proxy/common') as { setupOutgoing(o: object, options: object, req: unknown): Outgoing };
const incoming = require('http-proxy/lib/http-proxy/passes/web-incoming') as { deleteLength: Pass; XHeaders: Pass };

function fakeRequest(method: string, target: string, headers: IncomingHttpHeaders, version = '1.1'): IncomingMessage {
  const socket = { remoteAddress: '127.0.0.1' };
  const [major, minor] = version.split('.').map(Number);
  return {
    method,
    url: target,
    headers,
    httpVersion: version,
    httpVersionMajor: major,
    httpVersionMinor: minor,
    socket,
    connection: socket,
  } as unknown as IncomingMessage;
}

function viaHttpProxy(req: IncomingMessage): Outgoing {
  const copy = { ...req, headers: { ...req.headers } } as IncomingMessage;
  const options = { target: url.parse('http://127.0.0.1:5002'), agent: {}, xfwd: true };
  incoming.deleteLength(copy, null, options);
  incoming.XHeaders(copy, null, options);
  return common.setupOutgoing({}, options, copy);
}

function asObject(flat: string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < flat.length; i += 2) {
    const prior = out[flat[i]];
    out[flat[i]] = prior === undefined ? flat[i + 1] : ([] as string[]).concat(prior, flat[i + 1]);
  }
  return out;
}

describe('isPlainRequest', () => {
  const chars = ['a', 'b', '/', '?', '=', '&', '#', '@', '\\', ':', '.', '%', '2', 'e', ' ', 'h', 't', 'p', 's', '\u00a0', '~', '{'];
  const target = fc.array(fc.constantFrom(...chars), { maxLength: 24 }).map((cs) => `/msg${cs.join('')}`);

  test('when a request is plain, then http-proxy would send its URL unchanged', () => {
    fc.assert(
      fc.property(target, (t) => {
        const req = fakeRequest('GET', t, { host: 'gw:5004' });
        if (isPlainRequest(req)) expect(viaHttpProxy(req).path).toBe(t);
      }),
      { numRuns: 3000 },
    );
  });

  test.each([
    ['/msg?channel=tech&limit=50', true],
    ['/msg/42/reactions/%F0%9F%91%8D', true],
    ['/msg//x', false],
    ['/msg/http:/x', false],
    ['/msg?a=http://x', true],
    ['/msg#frag', false],
    ['/msg/a\\b', false],
    ['/user/a@b', false],
  ])('when the target is %s, then plain is %s', (t, plain) => {
    expect(isPlainRequest(fakeRequest('GET', t, { host: 'gw' }))).toBe(plain);
  });

  test('when the request is HTTP/1.0 or expects 100-continue, then it is not plain', () => {
    expect(isPlainRequest(fakeRequest('GET', '/msg', {}, '1.0'))).toBe(false);
    expect(isPlainRequest(fakeRequest('POST', '/msg', { host: 'gw', expect: '100-continue' }))).toBe(false);
  });
});

describe('outgoingHeaders', () => {
  const optional = (name: string, values: string[]) =>
    fc.option(fc.constantFrom(...values), { nil: undefined }).map((v) => [name, v] as const);
  const headers = fc
    .tuple(
      optional('host', ['gw:5004', 'gw', 'example.org:8443']),
      optional('authorization', ['Bearer a.b.c']),
      optional('x-forwarded-for', ['203.0.113.1', '203.0.113.1, 10.0.0.1']),
      optional('x-forwarded-port', ['443']),
      optional('x-forwarded-proto', ['https']),
      optional('x-forwarded-host', ['public.example']),
      optional('content-length', ['0', '12']),
      optional('transfer-encoding', ['chunked']),
      optional('x-request-id', ['abc-123']),
    )
    .map((pairs) => Object.fromEntries(pairs.filter(([, v]) => v !== undefined)) as IncomingHttpHeaders);

  test('when any request goes out, then the upstream gets the headers http-proxy would send', () => {
    fc.assert(
      fc.property(fc.constantFrom('GET', 'HEAD', 'DELETE', 'POST', 'PUT'), headers, (method, h) => {
        const req = fakeRequest(method, '/msg', h);
        expect(asObject(outgoingHeaders(req))).toEqual(viaHttpProxy(req).headers);
      }),
      { numRuns: 2000 },
    );
  });
});
