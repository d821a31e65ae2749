import net from 'node:net';

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

/** What an exchange is told, as undici's dispatch handlers are (FastExchange implements both). */
export interface UpstreamHandler {
  /** `abort` ends the exchange: the socket is closed and onError follows. */
  onConnect(abort: (err?: Error) => void): void;
  /** Status and headers (name, value, ... as the upstream sent them); `resume` restarts a paused body. */
  onHeaders(status: number, headers: string[], resume: () => void, statusText: string): boolean;
  /** A piece of the body; false pauses the upstream until `resume`. */
  onData(chunk: Buffer): boolean;
  onComplete(): void;
  onError(err: Error): void;
}

export interface UpstreamRequest {
  method: string;
  /** As the client sent it: checked by isPlainRequest (printable ASCII, no spaces). */
  path: string;
  /** name, value, ...: from Node's parser or the gateway, so without CR or LF (checked again). */
  headers: readonly string[];
}

/** A failed exchange; `code` is what upstream-proxy's failure handling reads (reset, timeout...). */
export class UpstreamError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export interface UpstreamPoolOptions {
  /** At most this many sockets; further requests wait in order. */
  connections: number;
  /** No byte from the upstream for this long during an exchange: UPSTREAM_TIMEOUT (504). */
  timeoutMs: number;
  /** An idle socket is closed after this long, before the upstream's own keep-alive timeout. */
  idleMs: number;
}

interface Exchange {
  handler: UpstreamHandler;
  head: boolean;
  /** A 1xx answer is being read: its end is not the exchange's. */
  informational: boolean;
  keepAlive: boolean;
}

const CRLF = /[\r\n]/;

/**
 * Keep-alive HTTP/1.1 connections to one upstream, for bodiless requests. The gateway's hot path
 * used undici's Pool; this does the same job with Node's C++ parser handing over each answer's
 * headers as strings in one call, and one write per request: about a third less client CPU per
 * request than undici on 14 KB answers (bench/findings.md). A request is sent once on one socket;
 * retries are upstream-proxy's decision, from the error code.
 */
export class UpstreamPool {
  private readonly idle: Connection[] = [];
  private readonly waiting: Array<[UpstreamRequest, UpstreamHandler]> = [];
  private size = 0;
  private closed = false;

  constructor(
    private readonly host: string,
    private readonly port: number,
    readonly o: UpstreamPoolOptions,
  ) {}

  dispatch(req: UpstreamRequest, handler: UpstreamHandler): void {
    if (this.closed) return handler.onError(new UpstreamError('the upstream pool is closed', 'POOL_CLOSED'));
    const conn = this.idle.pop() ?? (this.size < this.o.connections ? this.open() : undefined);
    if (conn) conn.start(req, handler);
    else this.waiting.push([req, handler]);
  }

  close(): void {
    this.closed = true;
    for (const [, handler] of this.waiting.splice(0)) handler.onError(new UpstreamError('the upstream pool is closed', 'POOL_CLOSED'));
    for (const conn of this.idle.splice(0)) conn.socket.destroy();
    for (const conn of this.all) conn.socket.destroy();
  }

  /** Every open connection, busy or idle (for close). */
  private readonly all = new Set<Connection>();

  private open(): Connection {
    this.size++;
    const conn = new Connection(this, net.connect({ host: this.host, port: this.port, noDelay: true }));
    this.all.add(conn);
    return conn;
  }

  /** A connection whose exchange ended cleanly: next waiting request, or the idle list. */
  release(conn: Connection): void {
    const next = this.closed ? undefined : this.waiting.shift();
    if (next) conn.start(next[0], next[1]);
    else if (this.closed) conn.socket.destroy();
    else {
      conn.idleSince();
      this.idle.push(conn);
    }
  }

  /** A connection that closed: forget it, and open another for a waiting request. */
  dropped(conn: Connection): void {
    this.size--;
    this.all.delete(conn);
    const at = this.idle.indexOf(conn);
    if (at !== -1) this.idle.splice(at, 1);
    const next = this.closed ? undefined : this.waiting.shift();
    if (next) this.open().start(next[0], next[1]);
  }
}

class Connection {
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
    private readonly pool: UpstreamPool,
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
