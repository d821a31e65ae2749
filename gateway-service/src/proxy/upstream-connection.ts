import type net from 'node:net';
import { type UpstreamHandler, type UpstreamPoolOptions, type UpstreamRequest, UpstreamError } from './upstream-types';

/**
 * Node's own HTTP/1 parser: llhttp in C++, the one `http.request` reads answers with, from the
 * `_http_common` module that Node keeps for this. Its callbacks are numbered slots on the parser.
 */
interface NodeHttpParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenientFlags: number): void;
  execute(data: Buffer): number | Error;
  finish(): number | Error | undefined;
  close(): void;
  [slot: number]: unknown;
}
interface NodeHttpParserClass {
  new (): NodeHttpParser;
  RESPONSE: number;
  kOnHeaders: number;
  kOnHeadersComplete: number;
  kOnBody: number;
  kOnMessageComplete: number;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { HTTPParser } = require('node:_http_common') as { HTTPParser: NodeHttpParserClass };

/** What a connection needs from its pool. */
export interface ConnectionOwner {
  readonly o: UpstreamPoolOptions;
  /** The exchange ended cleanly: the socket may serve another. */
  release(conn: Connection): void;
  /** The socket closed. */
  dropped(conn: Connection): void;
}

interface Exchange {
  handler: UpstreamHandler;
  head: boolean;
  /** A 1xx answer is being read: its end is not the exchange's. */
  informational: boolean;
  keepAlive: boolean;
}

const CRLF = /[\r\n]/;

/** One keep-alive socket to the upstream, one exchange at a time, read by Node's C++ parser. */
export class Connection {
  private readonly parser = new HTTPParser();
  private exchange: Exchange | null = null;
  /** The exchange whose answer ended inside the current execute(): released after it returns. */
  private finished = false;
  private broken: UpstreamError | null = null;
  private pendingHeaders: string[] | null = null;
  private lastError: Error | null = null;
  private timeoutMs = 0;
  /** The client is slow: no more body until it drains, and no timeout while it does. */
  private readonly pause = () => {
    this.socket.pause();
    this.setTimeout(0);
  };
  private readonly resume = () => {
    this.socket.resume();
    if (this.exchange) this.setTimeout(this.pool.o.timeoutMs);
  };

  constructor(
    private readonly pool: ConnectionOwner,
    readonly socket: net.Socket,
  ) {
    const p = this.parser;
    p.initialize(HTTPParser.RESPONSE, this, 0, 0);
    p[HTTPParser.kOnHeaders] = (headers: string[]) => {
      // More than 32 header lines arrive in parts before kOnHeadersComplete.
      this.pendingHeaders = this.pendingHeaders ? this.pendingHeaders.concat(headers) : headers;
    };
    p[HTTPParser.kOnHeadersComplete] = this.onHeadersComplete.bind(this);
    p[HTTPParser.kOnBody] = (chunk: Buffer) => {
      if (this.exchange && !this.exchange.informational && !this.exchange.handler.onData(chunk)) this.pause();
    };
    p[HTTPParser.kOnMessageComplete] = this.onMessageComplete.bind(this);
    socket.on('data', (chunk: Buffer) => this.onSocketData(chunk));
    socket.on('end', () => void this.parser.finish());
    socket.on('timeout', () => {
      if (this.exchange) this.fail(new UpstreamError('upstream timeout', 'UPSTREAM_TIMEOUT'));
      else socket.destroy();
    });
    socket.on('error', (err) => (this.lastError = err));
    socket.on('close', () => {
      const code = (this.lastError as NodeJS.ErrnoException | null)?.code ?? 'ECONNRESET';
      if (this.exchange) this.fail(new UpstreamError(this.lastError?.message ?? 'the upstream closed the connection', code));
      this.pool.dropped(this);
      // Not from inside one of its own callbacks: Node closes its parsers on a later turn too.
      setImmediate(() => this.parser.close());
    });
  }

  start(req: UpstreamRequest, handler: UpstreamHandler): void {
    this.exchange = { handler, head: req.method === 'HEAD', informational: false, keepAlive: false };
    // The last answer may have ended while its client was slow: this one starts flowing.
    if (this.socket.isPaused()) this.socket.resume();
    this.setTimeout(this.pool.o.timeoutMs);
    handler.onConnect((err) => this.fail(err ?? new UpstreamError('request aborted', 'ABORTED')));
    if (this.exchange === null) return; // aborted in onConnect
    let head = `${req.method} ${req.path} HTTP/1.1\r\n`;
    const h = req.headers;
    for (let i = 0; i < h.length; i += 2) {
      if (CRLF.test(h[i]) || CRLF.test(h[i + 1])) return this.fail(new UpstreamError('header with a line break', 'INVALID_HEADER'));
      head += `${h[i]}: ${h[i + 1]}\r\n`;
    }
    this.socket.write(`${head}\r\n`, 'latin1');
  }

  idleSince(): void {
    this.setTimeout(Math.min(this.pool.o.idleMs, this.pool.o.timeoutMs));
  }

  /** Re-arms the socket's inactivity timer only when the wanted delay changes. */
  private setTimeout(ms: number): void {
    if (ms !== this.timeoutMs) this.socket.setTimeout((this.timeoutMs = ms));
  }

  private onSocketData(chunk: Buffer): void {
    const r = this.parser.execute(chunk);
    // An Error from Node's own realm (not always this module's Error): tell it by its type.
    if (typeof r === 'object' && r !== null) {
      const code = (r as NodeJS.ErrnoException).code ?? 'HPE_INVALID';
      return this.fail(new UpstreamError(`invalid answer from the upstream (${code})`, code));
    }
    if (this.broken) return this.fail(this.broken);
    if (this.finished) {
      this.finished = false;
      this.pool.release(this);
    }
  }

  private onHeadersComplete(
    _major: number,
    _minor: number,
    headers: string[] | undefined,
    _method: unknown,
    _url: unknown,
    status: number,
    statusText: string,
    upgrade: boolean,
    keepAlive: boolean,
  ): number {
    // Headers already handed over in parts (kOnHeaders) leave `headers` empty or undefined.
    const all = this.pendingHeaders ? (headers ? this.pendingHeaders.concat(headers) : this.pendingHeaders) : (headers ?? []);
    this.pendingHeaders = null;
    const x = this.exchange;
    if (x === null || upgrade) {
      // An answer nobody asked for, or a switch of protocol on a plain request: the socket is unusable.
      this.broken = new UpstreamError('unexpected answer from the upstream', 'UNEXPECTED_ANSWER');
      return 1;
    }
    // 1xx (103 Early Hints): nothing to pass on, the real answer follows on the same socket.
    if (status < 200) return ((x.informational = true), 1);
    x.keepAlive = keepAlive;
    x.handler.onHeaders(status, all, this.resume, statusText);
    // After HEAD, no body follows whatever the headers say: tell the parser so.
    return x.head ? 1 : 0;
  }

  private onMessageComplete(): void {
    const x = this.exchange;
    if (x === null) return;
    if (x.informational) return void (x.informational = false);
    this.exchange = null;
    if (x.keepAlive) this.finished = true;
    else this.socket.destroy();
    x.handler.onComplete();
  }

  /** Ends the current exchange with `err` (once) and closes the socket: it cannot be reused mid-answer. */
  private fail(err: Error): void {
    const x = this.exchange;
    this.exchange = null;
    this.finished = false;
    this.socket.destroy();
    x?.handler.onError(err);
  }
}
