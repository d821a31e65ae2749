import http, { type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { ReplicaRing } from '@canaduck/http-client';
import type { Logger } from '@canaduck/logging';
import { outgoingHeaders } from './request-headers';

export interface UpgradeProxyOptions {
  /** The service's name, used in error bodies ("realtime-service unavailable"). */
  name: string;
  /** The service's address, or its replicas' (round robin; a refusing one is passed over). */
  target: string | readonly string[];
  /** No answer to the upgrade request within this time is a 504. */
  timeoutMs: number;
  logger: Logger;
}

export interface UpgradeProxy {
  /** Relays an upgrade request already checked by the gateway: the upstream's 101 then bytes both ways, or its refusal. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Cuts every open tunnel (on a signal: clients reconnect to another gateway). */
  cutOpen(): void;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** An HTTP answer written on a socket that will never be upgraded; the connection closes after it. */
export function answerOnSocket(socket: Duplex, status: number, body: unknown, reason = REASONS[status] ?? 'Error'): void {
  if (!socket.writable) return void socket.destroy();
  const json = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\ncache-control: no-store\r\n` +
      `content-length: ${Buffer.byteLength(json)}\r\nconnection: close\r\n\r\n${json}`,
  );
}

/** Header lines as an HTTP head writes them, from a raw (name, value, ...) list. */
function headLines(raw: readonly string[]): string {
  let out = '';
  for (let i = 0; i < raw.length; i += 2) out += `${raw[i]}: ${raw[i + 1]}\r\n`;
  return out;
}

/**
 * WebSocket (and any HTTP upgrade) relay: the request goes to the upstream with its own
 * `Connection: Upgrade` and `Upgrade` headers (the forwarded ones are rebuilt as for every
 * proxied request); the upstream's `101` and headers are written to the client as they came,
 * then the two sockets are piped both ways, each end closing the other. An upstream that
 * refuses the upgrade has its answer relayed (status, content type, body); one that cannot be
 * reached is a 503, one that stays silent a 504.
 */
export function createUpgradeProxy(o: UpgradeProxyOptions): UpgradeProxy {
  const ring = ReplicaRing.ofUrls(o.target);
  const targets = ring.items.map((t) => new URL(t));
  const open = new Set<Duplex>();

  function tunnel(socket: Duplex, res: IncomingMessage, upstream: Duplex, upHead: Buffer): void {
    socket.write(`HTTP/1.1 101 ${res.statusMessage || 'Switching Protocols'}\r\n${headLines(res.rawHeaders)}\r\n`);
    if (upHead.length > 0) socket.write(upHead);
    open.add(socket);
    const end = () => {
      open.delete(socket);
      socket.destroy();
      upstream.destroy();
    };
    socket.on('close', end);
    socket.on('error', end);
    upstream.on('close', end);
    upstream.on('error', end);
    upstream.pipe(socket);
    socket.pipe(upstream);
  }

  function connect(req: IncomingMessage, socket: Duplex, tried: number): void {
    const replica = ring.pick();
    const target = targets[replica];
    const headers = outgoingHeaders(req);
    headers.push('connection', 'Upgrade', 'upgrade', req.headers.upgrade ?? 'websocket');
    const outgoing = http.request({
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers,
      agent: false,
      timeout: o.timeoutMs,
    });
    let settled = false;
    const stop = () => outgoing.destroy();
    socket.on('close', stop);
    outgoing.on('upgrade', (res, upstream, upHead) => {
      settled = true;
      socket.off('close', stop);
      // Alive for as long as the two ends are: no idle timeout on a WebSocket (it has its own pings).
      upstream.setTimeout(0);
      tunnel(socket, res, upstream, upHead);
    });
    outgoing.on('response', (res) => {
      settled = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', () => socket.destroy());
      res.on('end', () => {
        if (!socket.writable) return void socket.destroy();
        const body = Buffer.concat(chunks);
        const type = res.headers['content-type'] ?? 'application/json; charset=utf-8';
        socket.write(
          `HTTP/1.1 ${res.statusCode} ${res.statusMessage || REASONS[res.statusCode ?? 0] || 'Error'}\r\n` +
            `content-type: ${type}\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n`,
        );
        socket.end(body);
      });
    });
    outgoing.on('timeout', () => {
      const err = new Error('upgrade timeout') as NodeJS.ErrnoException;
      err.code = 'ETIMEDOUT';
      outgoing.destroy(err);
    });
    outgoing.on('error', (err: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      socket.off('close', stop);
      if (socket.destroyed) return;
      if (err.code === 'ECONNREFUSED') ring.refused(replica);
      if (err.code === 'ECONNREFUSED' && tried + 1 < targets.length) return connect(req, socket, tried + 1);
      const timeout = err.code === 'ETIMEDOUT';
      o.logger.warn(
        { upstream: o.name, err: err.message, code: err.code, url: req.url },
        timeout ? 'upgrade timeout' : 'upgrade unavailable',
      );
      if (timeout) answerOnSocket(socket, 504, { error: `${o.name} did not answer within ${o.timeoutMs} ms`, code: 'upstream_timeout' });
      else answerOnSocket(socket, 503, { error: `${o.name} unavailable`, code: 'service_unavailable' });
    });
    outgoing.end();
  }

  return {
    upgrade(req, socket, head) {
      // Bytes the client sent after its upgrade request reach the upstream first once piped.
      if (head.length > 0) socket.unshift(head);
      connect(req, socket, 0);
    },
    cutOpen() {
      for (const socket of open) socket.destroy();
    },
  };
}
