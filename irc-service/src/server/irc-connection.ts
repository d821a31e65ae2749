import type { AsyncLocalStorage } from 'node:async_hooks';
import type { Socket } from 'node:net';
import { LineError, MAX_LINE_BYTES, MAX_TAGS_BYTES, parseLine, serialize, type IrcMessage, type Tags } from '../protocol/irc-line';
import { N } from '../protocol/numerics';
import type { Settings } from '../config';
import { Fakelag } from './fakelag';
import { labeledResponse, MAX_LABEL_BYTES, type LabeledContext } from './labeled-response';

/** What the connection asks of its server: handle a line, forget it once closed. */
export interface ConnectionHost {
  settings: Settings;
  now(): number;
  handle(conn: IrcConnection, msg: IrcMessage): Promise<void>;
  closed(conn: IrcConnection, reason: string): void;
  /** The replies of the labeled command running (labeled-response), per async context. */
  replies: AsyncLocalStorage<LabeledContext>;
  nextBatchId(): number;
}

/** The user a connection acts for once logged in (their token is used on every REST call). */
export interface Session {
  pseudo: string;
  token: string;
  expiresAt: number;
  /** When the door got the token (ms): a revocation dated after it ends the session. */
  tokenAt: number;
  /** Kept to log in again when the token expires during a long IRC session; never logged. */
  password: string;
  /** A guest's account is deleted when its connection closes. */
  guest?: boolean;
  /** user-service's roles at the last login: an `admin` is an IRC operator. */
  roles: string[];
}

export interface OutgoingMessage {
  tags?: Tags;
  source?: string;
  command: string;
  params: string[];
}

/** Tags a client sees without message-tags, each behind its own capability. */
const TAG_CAPS: Record<string, string> = { time: 'server-time', account: 'account-tag', batch: 'batch', label: 'labeled-response' };

// Longest line kept while looking for its end: past this the line is refused (417) and skipped.
const MAX_BUFFER = MAX_TAGS_BYTES + MAX_LINE_BYTES;

/** One client socket: framing, limits, flood control, send queue and the user's IRC state. */
export class IrcConnection {
  nick = '*';
  username = '';
  realname = '';
  registered = false;
  capNegotiating = false;
  capVersion = 0;
  readonly caps = new Set<string>();
  pass?: string;
  sasl?: { buffer: string };
  session?: Session;
  away: string | null = null;
  /**
   * Labeled PRIVMSGs with echo-message: their echo is the labeled reply, sent by the command; the
   * stream's copy is then skipped (`skipEcho`), unless it came first (`echoedMeanwhile`).
   */
  readonly echoes = { labeledPosts: 0, echoedMeanwhile: new Set<number>(), skipEcho: new Set<number>() };
  /** Channels (REST names) this connection shows as joined. */
  readonly channels = new Set<string>();
  lastReceived: number;
  lastPingSent = 0;
  readonly connectedAt: number;
  private closing = false;
  private finished = false;
  private buffer = Buffer.alloc(0);
  private skipping = false;
  private readonly queue: IrcMessage[] = [];
  private working = false;
  private readonly fakelag: Fakelag;

  constructor(
    readonly id: number,
    readonly socket: Socket,
    private readonly host: ConnectionHost,
    readonly secure: boolean,
  ) {
    this.connectedAt = this.lastReceived = host.now();
    this.fakelag = new Fakelag(host.settings.fakelag);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.finish('Connection closed'));
  }

  get isClosing(): boolean {
    return this.closing;
  }

  /** The pseudo once logged in, else the nick asked for. */
  get name(): string {
    return this.session?.pseudo ?? this.nick;
  }

  send(m: OutgoingMessage): void {
    if (this.closing || this.socket.destroyed) return;
    // A reply to a labeled command waits for the others, to be labeled together when it ends.
    const labeled = this.host.replies.getStore();
    if (labeled?.conn === this) {
      labeled.lines.push(m);
      return;
    }
    const tags = this.visibleTags(m.tags);
    this.write(serialize({ ...m, tags }) + '\r\n');
  }

  /** A numeric from the server, addressed to this client. */
  numeric(code: string, ...params: string[]): void {
    this.send({ source: this.host.settings.serverName, command: code, params: [this.name, ...params] });
  }

  notice(text: string): void {
    this.send({ source: this.host.settings.serverName, command: 'NOTICE', params: [this.name, text] });
  }

  /** Sends ERROR and closes; the server is told through `closed`. */
  close(reason: string): void {
    if (this.closing) return;
    this.write(`ERROR :Closing link: ${reason.replace(/[\r\n]/g, ' ')}\r\n`);
    this.closing = true;
    this.socket.end();
    // A client that never reads would keep the socket half-closed forever.
    setTimeout(() => this.socket.destroy(), 1000).unref();
    this.finish(reason);
  }

  private finish(reason: string): void {
    if (this.finished) return;
    this.finished = true;
    this.closing = true;
    this.host.closed(this, reason);
  }

  private visibleTags(tags: Tags | undefined): Tags | undefined {
    if (!tags) return undefined;
    const all = this.caps.has('message-tags');
    const out: Tags = {};
    for (const [k, v] of Object.entries(tags)) {
      const cap = TAG_CAPS[k];
      if (cap ? this.caps.has(cap) : all) out[k] = v;
    }
    return out;
  }

  private write(data: string): void {
    if (this.socket.destroyed) return;
    this.socket.write(data);
    // The send queue: a client that does not read is dropped before it holds much memory.
    if (this.socket.writableLength > this.host.settings.sendqBytes && !this.closing) {
      this.closing = true;
      this.socket.destroy();
      this.finish('SendQ exceeded');
    }
  }

  private onData(chunk: Buffer): void {
    this.lastReceived = this.host.now();
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf(10)) !== -1) {
      const raw = this.buffer.subarray(0, nl);
      this.buffer = this.buffer.subarray(nl + 1);
      if (this.skipping) {
        this.skipping = false;
        continue;
      }
      this.accept(raw.toString('utf8').replace(/\r$/, ''), raw.length);
    }
    if (this.buffer.length > MAX_BUFFER) {
      // No end of line in sight: refuse it now and drop the rest of it as it comes.
      this.buffer = Buffer.alloc(0);
      this.skipping = true;
      this.numeric(N.ERR_INPUTTOOLONG, 'Input line was too long');
    }
  }

  private accept(line: string, bytes: number): void {
    if (this.closing || !line.trim()) return;
    if (bytes > MAX_BUFFER) return this.numeric(N.ERR_INPUTTOOLONG, 'Input line was too long');
    let msg: IrcMessage;
    try {
      msg = parseLine(line);
    } catch (err) {
      if (!(err instanceof LineError)) throw err;
      if (err.kind === 'input_too_long' || err.kind === 'tags_too_long') this.numeric(N.ERR_INPUTTOOLONG, 'Input line was too long');
      else if (err.kind === 'bad_command') this.numeric(N.ERR_UNKNOWNCOMMAND, line.slice(0, 32).split(' ')[0] ?? '', 'Unknown command');
      return;
    }
    if (this.queue.length >= this.host.settings.recvqLines) {
      this.close('Excess Flood');
      return;
    }
    this.queue.push(msg);
    // Backpressure: past half the queue, stop reading; TCP slows the sender down.
    if (this.queue.length >= this.host.settings.recvqLines / 2) this.socket.pause();
    void this.work();
  }

  /** Handles one line; a labeled one (labeled-response) gets its replies labeled, or ACK. */
  private async dispatch(msg: IrcMessage): Promise<void> {
    const label = msg.tags.label;
    if (!label || !this.caps.has('labeled-response') || Buffer.byteLength(label) > MAX_LABEL_BYTES) return this.host.handle(this, msg);
    const context: LabeledContext = { conn: this, lines: [] };
    await this.host.replies.run(context, () => this.host.handle(this, msg));
    const options = {
      batch: this.caps.has('batch'),
      batchId: () => `L${this.host.nextBatchId()}`,
      source: this.host.settings.serverName,
    };
    for (const line of labeledResponse(label, context.lines, options)) this.send(line);
  }

  private async work(): Promise<void> {
    if (this.working) return;
    this.working = true;
    try {
      while (this.queue.length && !this.closing) {
        const msg = this.queue.shift() as IrcMessage;
        if (this.queue.length < this.host.settings.recvqLines / 2 && this.socket.isPaused()) this.socket.resume();
        if (this.registered && msg.command !== 'PONG' && msg.command !== 'PING') {
          const wait = this.fakelag.delayFor(this.host.now());
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
        await this.dispatch(msg);
      }
    } finally {
      this.working = false;
    }
  }
}
