import type { ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import type { Sink } from '../domain/connection';
import type { CloseReason } from '../domain/envelope';
import type { OutFrame } from '../domain/frames';

/** Server-Sent Events: `id: <cursor>`, `event: <type>`, `data: <envelope>`. */
export class SseSink implements Sink {
  constructor(private readonly res: ServerResponse) {}

  write(frame: OutFrame): void {
    this.res.write(frame.sse);
  }

  bufferedBytes(): number {
    return this.res.writableLength + (this.res.socket?.writableLength ?? 0);
  }

  end(reason: CloseReason | undefined): void {
    // A slow client's closing frame would wait behind its full buffer: cut it off instead.
    if (reason === 'slow_consumer') this.res.destroy();
    else this.res.end();
  }
}

/** WebSocket close codes: 1012 "service restart" on shutdown, 4000+ for the others. */
const WS_CLOSE_CODES: Record<CloseReason, number> = {
  server_shutdown: 1012,
  token_revoked: 4001,
  token_expired: 4002,
  slow_consumer: 4008,
  // 1013 "try again later": channel-service could not say what the user may read; resume from the cursor.
  access_unavailable: 1013,
};

export class WsSink implements Sink {
  constructor(private readonly ws: WebSocket) {}

  write(frame: OutFrame): void {
    // The frame's bytes, encoded once for every socket, sent as a text frame.
    this.ws.send(frame.bytes, { binary: false });
  }

  bufferedBytes(): number {
    return this.ws.bufferedAmount;
  }

  end(reason: CloseReason | undefined): void {
    this.ws.close(reason ? WS_CLOSE_CODES[reason] : 1000, reason ?? 'closed');
    // A slow client may never read the close frame: do not wait for it.
    if (reason === 'slow_consumer') setTimeout(() => this.ws.terminate(), 1000).unref();
  }
}

/** Long poll: frames are gathered and answered at once. */
export class PollSink implements Sink {
  readonly frames: string[] = [];
  private bytes = 0;
  onFrame: (() => void) | undefined;

  write(frame: OutFrame): void {
    if (frame.type === 'heartbeat') return;
    this.frames.push(frame.json);
    this.bytes += frame.json.length;
    this.onFrame?.();
  }

  bufferedBytes(): number {
    return this.bytes;
  }

  end(): void {
    this.onFrame?.();
  }
}
