import net from 'node:net';
import { Connection, type ConnectionOwner } from './upstream-connection';
import { type UpstreamHandler, type UpstreamPoolOptions, type UpstreamRequest, UpstreamError } from './upstream-types';

export { UpstreamError, type UpstreamHandler, type UpstreamPoolOptions, type UpstreamRequest } from './upstream-types';

/**
 * Keep-alive HTTP/1.1 connections to one upstream, for bodiless requests. The gateway's hot path
 * used undici's Pool; this does the same job with Node's C++ parser handing over each answer's
 * headers as strings in one call, and one write per request: about a third less client CPU per
 * request than undici on 14 KB answers (bench/findings.md). A request is sent once on one socket;
 * retries are upstream-proxy's decision, from the error code.
 */
export class UpstreamPool implements ConnectionOwner {
  private readonly idle: Connection[] = [];
  /** Every open connection, busy or idle. */
  private readonly all = new Set<Connection>();
  private readonly waiting: Array<[UpstreamRequest, UpstreamHandler]> = [];
  private closed = false;

  constructor(
    private readonly host: string,
    private readonly port: number,
    readonly o: UpstreamPoolOptions,
  ) {}

  dispatch(req: UpstreamRequest, handler: UpstreamHandler): void {
    if (this.closed) return handler.onError(new UpstreamError('the upstream pool is closed', 'POOL_CLOSED'));
    const conn = this.idle.pop() ?? (this.all.size < this.o.connections ? this.open() : undefined);
    if (conn) conn.start(req, handler);
    else this.waiting.push([req, handler]);
  }

  close(): void {
    this.closed = true;
    for (const [, handler] of this.waiting.splice(0)) handler.onError(new UpstreamError('the upstream pool is closed', 'POOL_CLOSED'));
    this.idle.length = 0;
    for (const conn of this.all) conn.socket.destroy();
  }

  private open(): Connection {
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
    this.all.delete(conn);
    const at = this.idle.indexOf(conn);
    if (at !== -1) this.idle.splice(at, 1);
    const next = this.closed ? undefined : this.waiting.shift();
    if (next) this.open().start(next[0], next[1]);
  }
}
