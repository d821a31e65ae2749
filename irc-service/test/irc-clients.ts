import net from 'node:net';
import { Client } from 'irc-framework';
import { parseLine, type IrcMessage } from '../src/protocol/irc-line';

export interface TestUser {
  pseudo: string;
  password: string;
}

/** Collects lines and waits for the one a test expects. */
abstract class LineWaiter {
  readonly lines: IrcMessage[] = [];
  private waiters: Array<{ pred: (m: IrcMessage) => boolean; resolve: (m: IrcMessage) => void }> = [];

  push(raw: string): void {
    let m: IrcMessage;
    try {
      m = parseLine(raw);
    } catch {
      return;
    }
    this.lines.push(m);
    this.waiters = this.waiters.filter((w) => {
      if (!w.pred(m)) return true;
      w.resolve(m);
      return false;
    });
  }

  /** The first line (already received or to come) matching; `command` may be a numeric. */
  waitFor(pred: ((m: IrcMessage) => boolean) | string, timeoutMs = 5000, from = 0): Promise<IrcMessage> {
    const p = typeof pred === 'string' ? (m: IrcMessage) => m.command === pred : pred;
    const seen = this.lines.slice(from).find(p);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no line matching ${String(pred)} within ${timeoutMs} ms; got:\n${this.dump()}`)),
        timeoutMs,
      );
      this.waiters.push({
        pred: p,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  /** Lines received from now on only. */
  mark(): number {
    return this.lines.length;
  }

  /** Each argument is one whole line. */
  abstract send(...lines: string[]): void;

  /** JOINs each channel and waits for the end of its NAMES (366), the sign the join is complete. */
  async join(...channels: string[]): Promise<void> {
    const from = this.mark();
    this.send(...channels.map((c) => `JOIN ${c}`));
    for (const c of channels) {
      await this.waitFor((m) => m.command === '366' && m.params[1]?.toLowerCase() === c.toLowerCase(), 5000, from);
    }
  }

  dump(): string {
    return this.lines.map((l) => `${l.command} ${l.params.join(' ')}`).join('\n');
  }
}

/** A real irc-framework client (the library The Lounge uses), logged in with SASL PLAIN. */
export class TestClient extends LineWaiter {
  readonly irc: InstanceType<typeof Client>;
  private closed: Promise<void>;

  constructor(port: number, user: TestUser, o: { echo?: boolean; nick?: string } = {}) {
    super();
    this.irc = new Client({
      host: '127.0.0.1',
      port,
      nick: o.nick ?? user.pseudo,
      username: user.pseudo,
      gecos: `${user.pseudo} test`,
      account: { account: user.pseudo, password: user.password },
      auto_reconnect: false,
      enable_echomessage: o.echo ?? false,
    });
    this.irc.on('raw', (e: { line: string; from_server: boolean }) => e.from_server && this.push(e.line.replace(/\r?\n$/, '')));
    this.closed = new Promise((r) => this.irc.once('close', () => r()));
  }

  static async connect(port: number, user: TestUser, o: { echo?: boolean; nick?: string } = {}): Promise<TestClient> {
    const c = new TestClient(port, user, o);
    c.irc.connect();
    await c.waitFor((m) => m.command === '376' || m.command === '422');
    return c;
  }

  send(...lines: string[]): void {
    for (const line of lines) this.irc.raw(line);
  }

  async close(): Promise<void> {
    this.irc.quit('bye');
    await Promise.race([this.closed, new Promise((r) => setTimeout(r, 2000))]);
    this.irc.connection?.end?.();
  }
}

/** A bare TCP client for what a library would not send: bad lines, floods, broken framing. */
export class RawClient extends LineWaiter {
  readonly socket: net.Socket;
  readonly ended: Promise<void>;

  private constructor(socket: net.Socket) {
    super();
    this.socket = socket;
    let buf = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        this.push(buf.slice(0, i).replace(/\r$/, ''));
        buf = buf.slice(i + 1);
      }
    });
    socket.on('error', () => undefined);
    this.ended = new Promise((r) => socket.once('close', () => r()));
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  send(...lines: string[]): void {
    this.socket.write(lines.map((l) => l + '\r\n').join(''));
  }

  /** Registers with PASS <pseudo>:<password>. */
  async register(u: TestUser): Promise<void> {
    this.send(`PASS ${u.pseudo}:${u.password}`, `NICK ${u.pseudo}`, `USER ${u.pseudo} 0 * :${u.pseudo}`);
    await this.waitFor((m) => m.command === '376' || m.command === '422');
  }

  async close(): Promise<void> {
    this.socket.end();
    this.socket.destroy();
    await this.ended;
  }
}
