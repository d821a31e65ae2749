/** What UpstreamPool (upstream-pool.ts) takes and tells, and how it fails. */

/** What an exchange is told (FastExchange implements it), as undici's dispatch handlers were. */
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
