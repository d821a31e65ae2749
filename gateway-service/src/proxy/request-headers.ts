import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

/**
 * Headers that describe the client's connection to the gateway, not the request: never passed on.
 * The upstream hop has its own (undici writes `Connection` and the body's framing itself, and
 * refuses these in a request's headers).
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'x-forwarded-for',
  'x-forwarded-port',
  'x-forwarded-proto',
  'x-forwarded-host',
]);

function forwardedPort(req: IncomingMessage, encrypted: boolean): string {
  const m = req.headers.host ? /:(\d+)/.exec(req.headers.host) : null;
  return m ? m[1] : encrypted ? '443' : '80';
}

/** Whether a request carries a body to stream to the upstream (a declared length above 0, or chunks). */
export function hasBody(req: IncomingMessage): boolean {
  const h = req.headers;
  return h['transfer-encoding'] !== undefined || (h['content-length'] !== undefined && h['content-length'] !== '0');
}

/**
 * The request headers sent upstream, as a flat list (name, value, ...): the client's, as Node
 * parsed them, without hop-by-hop ones (and any the client's `Connection` names), with
 * `X-Forwarded-Port` and `-Proto` appended to, `X-Forwarded-Host` kept or set, and
 * `X-Forwarded-For` set to `clientAddress`: the client address the gateway resolved (TRUST_PROXY),
 * the socket peer without it. The services trust that one hop; a chain the client wrote itself
 * is never passed on.
 */
export function outgoingHeaders(req: IncomingMessage, clientAddress?: string): string[] {
  const h = req.headers;
  const named = h.connection ? h.connection.toLowerCase().split(/\s*,\s*/) : undefined;
  const out: string[] = [];
  for (const name in h) {
    if (HOP_BY_HOP.has(name) || (named !== undefined && named.includes(name))) continue;
    const value = h[name];
    if (typeof value === 'string') out.push(name, value);
    else if (value !== undefined) for (const v of value) out.push(name, v);
  }
  const encrypted = (req.socket as TLSSocket).encrypted === true;
  const append = (name: string, value: string | undefined) => {
    const prior = h[name] as string | undefined;
    out.push(name, prior ? `${prior},${value}` : `${value}`);
  };
  out.push('x-forwarded-for', clientAddress ?? req.socket.remoteAddress ?? '');
  append('x-forwarded-port', forwardedPort(req, encrypted));
  append('x-forwarded-proto', encrypted ? 'https' : 'http');
  out.push('x-forwarded-host', (h['x-forwarded-host'] as string | undefined) || h.host || '');
  return out;
}
