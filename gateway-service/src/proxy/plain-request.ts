import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

/**
 * Whether http-proxy would send this request's target to the upstream exactly as it came.
 * It rebuilds the path with `url.parse(req.url).path` and `urlJoin`, which rewrite URLs with
 * whitespace or non-ASCII characters, `#`, `@`, `\`, `//`, or `http:/`, and it treats HTTP/1.0
 * and `Expect` requests in their own ways. A request with none of these is plain: the gateway
 * can send it itself (upstream-proxy.ts); any other keeps going through http-proxy.
 */
export function isPlainRequest(req: IncomingMessage): boolean {
  if (req.httpVersionMajor !== 1 || req.httpVersionMinor !== 1 || req.headers.expect !== undefined) return false;
  const url = req.url ?? '';
  if (url.charCodeAt(0) !== 47 /* / */) return false;
  let inPath = true;
  for (let i = 0; i < url.length; i++) {
    const c = url.charCodeAt(i);
    // Printable ASCII only, and none of # @ \.
    if (c <= 32 || c >= 127 || c === 35 || c === 64 || c === 92) return false;
    if (c === 63 /* ? */) inPath = false;
    // `//` collapses and `:/` becomes `://` in the path part.
    else if (inPath && c === 47 && i > 0 && (url.charCodeAt(i - 1) === 47 || url.charCodeAt(i - 1) === 58)) return false;
  }
  return true;
}

function forwardedPort(req: IncomingMessage, encrypted: boolean): string {
  const m = req.headers.host ? /:(\d+)/.exec(req.headers.host) : null;
  return m ? m[1] : encrypted ? '443' : '80';
}

/**
 * The request headers http-proxy sends (`xfwd: true`): the client's, as Node parsed them,
 * without `Connection`, with `X-Forwarded-For`, `-Port` and `-Proto` appended to and
 * `X-Forwarded-Host` kept or set, and `Content-Length: 0` on a DELETE that has none. As a
 * flat list: http.request then writes them as they are instead of one setHeader each.
 */
export function outgoingHeaders(req: IncomingMessage): string[] {
  const h = req.headers;
  const out: string[] = [];
  for (const name in h) {
    switch (name) {
      case 'connection':
      case 'x-forwarded-for':
      case 'x-forwarded-port':
      case 'x-forwarded-proto':
      case 'x-forwarded-host':
        continue;
    }
    const value = h[name];
    if (typeof value === 'string') out.push(name, value);
    else if (value !== undefined) for (const v of value) out.push(name, v);
  }
  const encrypted = (req.socket as TLSSocket).encrypted === true;
  const append = (name: string, value: string | undefined) => {
    const prior = h[name] as string | undefined;
    out.push(name, prior ? `${prior},${value}` : `${value}`);
  };
  append('x-forwarded-for', req.socket.remoteAddress);
  append('x-forwarded-port', forwardedPort(req, encrypted));
  append('x-forwarded-proto', encrypted ? 'https' : 'http');
  out.push('x-forwarded-host', (h['x-forwarded-host'] as string | undefined) || h.host || '');
  if ((req.method === 'DELETE' || req.method === 'OPTIONS') && !h['content-length']) {
    for (let i = 0; i < out.length; i += 2) if (out[i] === 'transfer-encoding') out.splice(i, 2);
    out.push('content-length', '0');
  }
  return out;
}
