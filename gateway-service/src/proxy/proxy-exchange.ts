import type { IncomingMessage, OutgoingHttpHeader, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';

/** Duplicates Node keeps only the first of (as IncomingMessage.headers does). */
const SINGLE = new Set([
  'content-type',
  'content-length',
  'user-agent',
  'referer',
  'host',
  'authorization',
  'proxy-authorization',
  'if-modified-since',
  'if-unmodified-since',
  'from',
  'location',
  'max-forwards',
  'retry-after',
  'etag',
  'last-modified',
  'server',
  'age',
  'expires',
]);

/**
 * The answer's header lines: the gateway's own (`own`) unless the upstream sends the same name,
 * then the upstream's, merged as Node's IncomingMessage.headers merges duplicates, names
 * lower-cased, without `X-Powered-By`. Hop-by-hop `Connection` and
 * `Keep-Alive` describe the upstream socket, not the client's: Node writes the client's own.
 */
export function answerHeaders(own: readonly string[] | undefined, raw: readonly string[]): OutgoingHttpHeader[] {
  const up: Array<string | string[]> = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (name === 'x-powered-by' || name === 'connection' || name === 'keep-alive') continue;
    const value = raw[i + 1];
    let at = -1;
    for (let j = 0; j < up.length; j += 2) if (up[j] === name) at = j + 1;
    if (at === -1) up.push(name, name === 'set-cookie' ? [value] : value);
    else if (name === 'set-cookie') (up[at] as string[]).push(value);
    else if (!SINGLE.has(name)) up[at] = `${up[at] as string}${name === 'cookie' ? '; ' : ', '}${value}`;
  }
  const out: OutgoingHttpHeader[] = [];
  if (own) {
    for (let i = 0; i < own.length; i += 2) {
      const name = own[i].toLowerCase();
      let clash = false;
      for (let j = 0; j < up.length; j += 2) if (up[j] === name) clash = true;
      if (!clash) out.push(own[i], own[i + 1]);
    }
  }
  for (let j = 0; j < up.length; j++) out.push(up[j]);
  return out;
}

/** What an exchange needs from its proxy when it fails: retry, answer 503/504, or cut. */
export type FailHandler = (err: Error, req: IncomingMessage, res: ServerResponse, retry: () => void) => void;

/**
 * One proxied request, as an undici dispatch handler: the upstream's answer is written to `res`
 * as it arrives (status and headers in one writeHead, then each chunk, pausing the upstream
 * while the client is slow). A client that goes away aborts the upstream request. The request's
 * body, if any, is streamed by undici from `req` (paused while the upstream socket is full).
 */
export class ProxyExchange implements Dispatcher.DispatchHandlers {
  private abort: ((err?: Error) => void) | null = null;
  /** Restarts an upstream paused because the client was slow. */
  private resume: (() => void) | null = null;
  private done = false;
  /** Body bytes still to come when the upstream gave a Content-Length, else -1. */
  private left = -1;
  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly own: readonly string[] | undefined,
    private readonly fail: FailHandler,
    private readonly retry: () => void,
  ) {
    res.once('close', () => {
      // The client went away before the answer was complete: free the upstream socket now.
      if (!res.writableFinished && !this.done) this.abort?.();
    });
  }

  onConnect(abort: (err?: Error) => void): void {
    this.abort = abort;
    if (this.res.destroyed) abort();
  }

  onHeaders(statusCode: number, rawBuffers: Buffer[], resume: () => void, statusText: string): boolean {
    // 1xx (103 Early Hints): nothing to pass on, the real answer follows on the same socket.
    if (statusCode < 200) return true;
    const res = this.res;
    const raw: string[] = new Array<string>(rawBuffers.length);
    for (let i = 0; i < rawBuffers.length; i++) raw[i] = rawBuffers[i].toString('latin1');
    for (let i = 0; i < raw.length; i += 2) {
      if (raw[i].length === 14 && raw[i].toLowerCase() === 'content-length') this.left = Number(raw[i + 1]);
    }
    if (this.req.method === 'HEAD') this.left = -1;
    if (!res.headersSent) {
      const headers = answerHeaders(this.own, raw);
      if (statusText) res.writeHead(statusCode, statusText, headers);
      else res.writeHead(statusCode, headers);
    }
    this.resume = resume;
    return true;
  }

  onData(chunk: Buffer): boolean {
    // The last piece of a body of known length (the whole body, for most answers): ended with it,
    // so headers and body leave in one write without waiting for the next tick's uncork.
    if (this.left >= 0 && (this.left -= chunk.length) === 0) {
      this.done = true;
      this.res.end(chunk);
      return true;
    }
    const ok = this.res.write(chunk);
    if (!ok && this.resume) this.res.once('drain', this.resume);
    return ok;
  }

  onComplete(): void {
    this.done = true;
    if (!this.res.writableEnded) this.res.end();
  }

  onError(err: Error): void {
    this.done = true;
    this.fail(err, this.req, this.res, this.retry);
  }
}
