import { randomUUID } from 'node:crypto';
import type { AuthUser } from '@canaduck/auth';
import { zeroPosition, type Position } from './cursor';
import type { CloseReason } from './envelope';
import type { OutFrame } from './frames';

/** Where a connection's frames go: an SSE response, a WebSocket or a long-poll answer. */
export interface Sink {
  /** One envelope, already serialized (the same frame object may go to many sinks). */
  write(frame: OutFrame): void;
  /** Bytes written but not yet taken by the client. */
  bufferedBytes(): number;
  /** Ends the stream; `reason` is told to the client first when the transport allows it. */
  end(reason: CloseReason | undefined, cursor: string): void;
}

export interface ConnectionUser extends AuthUser {
  /** The token's iat and exp (seconds): revocations and expiry are checked against them. */
  iat: number;
  exp: number;
}

/**
 * One client stream. `pos` is the last seq given or passed over in each stream; until `live`
 * it is being caught up (the live fan-out skips it), then the fan-out feeds it directly.
 */
export class Connection {
  readonly id = randomUUID();
  readonly key: string;
  readonly admin: boolean;
  pos: Position = zeroPosition();
  live = false;
  closed = false;
  /** Channels the user is a member of (as far as this process knows). */
  readonly channels = new Set<string>();
  /** Channels subscribed to without joining (public channels the user may read). */
  readonly subscriptions = new Set<string>();
  onClose: (() => void) | undefined;

  constructor(
    readonly user: ConnectionUser,
    private readonly sink: Sink,
    private readonly maxBufferedBytes: number,
  ) {
    this.key = user.pseudo.toLowerCase();
    this.admin = user.roles.includes('admin');
  }

  interestedIn(channel: string): boolean {
    return this.channels.has(channel) || this.subscriptions.has(channel);
  }

  /**
   * Sends one frame. A live client that lets more than the buffer pile up is closed
   * (slow_consumer); a catch-up waits for the client instead (drained()), at its own pace.
   */
  send(frame: OutFrame): void {
    if (this.closed) return;
    this.sink.write(frame);
    if (this.live && this.sink.bufferedBytes() > this.maxBufferedBytes) this.close('slow_consumer', frame.cursor);
  }

  /** Resolves once half the buffer is free (false: the client did not read for `timeoutMs`). */
  async drained(timeoutMs = 30_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && this.sink.bufferedBytes() > this.maxBufferedBytes / 2) {
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 5));
    }
    return true;
  }

  close(reason: CloseReason | undefined, cursor: string): void {
    if (this.closed) return;
    this.closed = true;
    this.sink.end(reason, cursor);
    this.onClose?.();
  }
}
