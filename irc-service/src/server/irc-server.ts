import { AsyncLocalStorage } from 'node:async_hooks';
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from '@canaduck/logging';
import type { Clients } from '../clients';
import type { GuestLease } from '../clients/user-client';
import type { Settings } from '../config';
import { fold, ircChannel } from '../protocol/names';
import { N } from '../protocol/numerics';
import type { IrcMessage } from '../protocol/irc-line';
import { commandTable } from '../commands';
import { removeGuest } from '../commands/guests';
import { EventRouter } from '../delivery/event-router';
import type { LabeledContext } from './labeled-response';
import { LoginLimiter } from './login-limiter';
import { IrcConnection, type ConnectionHost, type OutgoingMessage } from './irc-connection';

export interface IrcServerDeps {
  settings: Settings;
  clients: Clients;
  logger: Logger;
  now?: () => number;
}

/** Who said what where: the last topic change seen, for 333 (channel-service keeps no setter). */
export interface TopicStamp {
  by: string;
  at: number;
}

/**
 * The door's listeners and its connections. It holds no account, channel or message: only who is
 * connected, which channels each connection shows, and what each connection negotiated.
 */
export class IrcServer implements ConnectionHost {
  readonly settings: Settings;
  readonly clients: Clients;
  readonly logger: Logger;
  readonly now: () => number;
  readonly loginLimiter: LoginLimiter;
  readonly topics = new Map<string, TopicStamp>();
  readonly router: EventRouter;
  readonly replies = new AsyncLocalStorage<LabeledContext>();
  private readonly connections = new Set<IrcConnection>();
  private readonly byNick = new Map<string, Set<IrcConnection>>();
  private readonly byChannel = new Map<string, Set<IrcConnection>>();
  /** The most users (distinct nicks) registered here at once since the start (LUSERS' max). */
  private maxUsers = 0;
  /** Registered connections (a nick may have several), and those of operators. */
  private registeredCount = 0;
  private readonly operatorConnections = new Set<IrcConnection>();
  private readonly servers: net.Server[] = [];
  private readonly commands = commandTable();
  private sweeper?: NodeJS.Timeout;
  private nextId = 1;
  /** Guests being removed after their connection closed (awaited on shutdown). */
  private readonly leaving = new Set<Promise<void>>();
  private batchSeq = 0;

  constructor(deps: IrcServerDeps) {
    this.settings = deps.settings;
    this.clients = deps.clients;
    this.logger = deps.logger;
    this.now = deps.now ?? Date.now;
    this.router = new EventRouter(this);
    this.loginLimiter = new LoginLimiter(deps.settings.loginRateMax, deps.settings.loginRateWindowMs, this.now);
  }

  /** Listens on the plain port (and the TLS one when configured); answers the bound ports. */
  async listen(host = '0.0.0.0'): Promise<{ port: number; tlsPort?: number }> {
    const plain = net.createServer((s) => this.accept(s, false));
    const port = await this.bind(plain, this.settings.ircPort, host);
    let tlsPort: number | undefined;
    if (this.settings.tls) {
      const secure = tls.createServer({ cert: this.settings.tls.cert, key: this.settings.tls.key }, (s) => this.accept(s, true));
      tlsPort = await this.bind(secure, this.settings.tls.port, host);
    }
    this.sweeper = setInterval(() => this.sweep(), Math.min(1000, this.settings.pingIntervalMs / 2));
    this.sweeper.unref();
    this.logger.info({ port, tlsPort }, 'IRC listening');
    return { port, tlsPort };
  }

  private bind(server: net.Server, port: number, host: string): Promise<number> {
    this.servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve((server.address() as net.AddressInfo).port));
    });
  }

  private accept(socket: net.Socket, secure: boolean): void {
    const conn = new IrcConnection(this.nextId++, socket, this, secure);
    this.connections.add(conn);
  }

  /** A reference tag unique on this server, for BATCH. */
  nextBatchId(): number {
    return ++this.batchSeq;
  }

  /** Who holds this door's guests' leases, and for how long. */
  get guestLease(): GuestLease {
    return { owner: this.settings.instanceId, seconds: this.settings.guestLeaseSeconds };
  }

  /** Registered guests still connected here (their leases are renewed). */
  guestConnections(): IrcConnection[] {
    return [...this.connections].filter((c) => c.registered && !c.isClosing && c.session?.guest);
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Dispatches one parsed line; any failure becomes a reply, never a crash. */
  async handle(conn: IrcConnection, msg: IrcMessage): Promise<void> {
    const cmd = this.commands[msg.command];
    if (!cmd) {
      if (conn.registered) conn.numeric(N.ERR_UNKNOWNCOMMAND, msg.command, 'Unknown command');
      else conn.numeric(N.ERR_NOTREGISTERED, 'You have not registered');
      return;
    }
    if (!cmd.beforeRegistration && !conn.registered) return conn.numeric(N.ERR_NOTREGISTERED, 'You have not registered');
    if (msg.params.length < (cmd.minParams ?? 0)) return conn.numeric(N.ERR_NEEDMOREPARAMS, msg.command, 'Not enough parameters');
    try {
      await cmd.run(this, conn, msg);
    } catch (err) {
      const e = err as { status?: number; message?: string };
      // A service down or too slow (503/504 from the client): the client may try again.
      if (e.status === 503 || e.status === 504)
        conn.numeric(N.RPL_TRYAGAIN, msg.command, `${e.message ?? 'a service is unavailable'}, try again`);
      else {
        this.logger.error({ err, command: msg.command }, 'IRC command failed');
        conn.numeric(N.RPL_TRYAGAIN, msg.command, 'Internal error, try again');
      }
    }
  }

  closed(conn: IrcConnection, reason: string): void {
    if (!this.connections.delete(conn)) return;
    this.logger.debug({ id: conn.id, reason }, 'IRC connection closed');
    const channels = [...conn.channels];
    for (const channel of channels) this.leaveLocal(conn, channel);
    if (conn.session?.guest) {
      const p = removeGuest(this, conn, channels).finally(() => this.leaving.delete(p));
      this.leaving.add(p);
    }
    const key = fold(conn.name);
    const set = this.byNick.get(key);
    if (set?.delete(conn)) this.registeredCount--;
    if (set && !set.size) this.byNick.delete(key);
    this.operatorConnections.delete(conn);
  }

  /** Registration done: the connection answers to its pseudo. */
  addNick(conn: IrcConnection): void {
    const key = fold(conn.name);
    const set = this.byNick.get(key) ?? new Set();
    if (!set.has(conn)) this.registeredCount++;
    set.add(conn);
    this.byNick.set(key, set);
    this.maxUsers = Math.max(this.maxUsers, this.byNick.size);
  }

  /** Keeps LUSERS' operator count: called when a connection becomes an operator or stops being one. */
  setOperator(conn: IrcConnection, operator: boolean): void {
    if (operator) this.operatorConnections.add(conn);
    else this.operatorConnections.delete(conn);
  }

  connectionsOf(pseudo: string): IrcConnection[] {
    return [...(this.byNick.get(fold(pseudo)) ?? [])];
  }

  /**
   * LUSERS' figures, kept as they change rather than counted, since every registration sends them
   * (counting would cost O(connections) each time: O(n²) over a reconnect storm).
   */
  localCounts(): { users: number; maxUsers: number; connections: number; operators: number; channels: number } {
    const operators = new Set([...this.operatorConnections].map((c) => fold(c.name))).size;
    return {
      users: this.byNick.size,
      maxUsers: this.maxUsers,
      connections: this.registeredCount,
      operators,
      channels: this.byChannel.size,
    };
  }

  localMembers(channel: string): IrcConnection[] {
    return [...(this.byChannel.get(channel) ?? [])];
  }

  joinLocal(conn: IrcConnection, channel: string): void {
    conn.channels.add(channel);
    const set = this.byChannel.get(channel) ?? new Set();
    set.add(conn);
    this.byChannel.set(channel, set);
  }

  leaveLocal(conn: IrcConnection, channel: string): void {
    conn.channels.delete(channel);
    const set = this.byChannel.get(channel);
    set?.delete(conn);
    if (set && !set.size) this.byChannel.delete(channel);
  }

  /** Sends to every connection showing `channel`, except those `skip` says no to. */
  toChannel(channel: string, m: OutgoingMessage, skip?: (c: IrcConnection) => boolean): void {
    for (const c of this.localMembers(channel)) if (!skip?.(c)) c.send(m);
  }

  /**
   * `pseudo`'s JOIN of `channel` as each recipient sees it: with extended-join, its account and
   * realname too (the realname its IRC client gave, else the pseudo: REST users have none). Both
   * forms are built once, however many members receive them.
   */
  joinLines(pseudo: string, channel: string): (to: IrcConnection) => OutgoingMessage {
    const plain: OutgoingMessage = { source: this.mask(pseudo), command: 'JOIN', params: [ircChannel(channel)], tags: { account: pseudo } };
    const realname = this.connectionsOf(pseudo).find((c) => c.realname)?.realname || pseudo;
    const extended: OutgoingMessage = { ...plain, params: [ircChannel(channel), pseudo, realname] };
    return (to) => (to.caps.has('extended-join') ? extended : plain);
  }

  /** `pseudo!pseudo@host`: the same mask for IRC and REST users; no address is ever shown. */
  mask(pseudo: string): string {
    return `${pseudo}!${pseudo}@${this.settings.userHost}`;
  }

  /** Liveness: PING the quiet, drop the silent, and the ones that never registered. */
  private sweep(): void {
    const now = this.now();
    for (const c of this.connections) {
      if (!c.registered && now - c.connectedAt > this.settings.registrationTimeoutMs) c.close('Registration timeout');
      else if (now - c.lastReceived > this.settings.pingTimeoutMs)
        c.close(`Ping timeout: ${Math.round((now - c.lastReceived) / 1000)} seconds`);
      else if (now - c.lastReceived > this.settings.pingIntervalMs && now - c.lastPingSent > this.settings.pingIntervalMs) {
        c.lastPingSent = now;
        c.send({ command: 'PING', params: [this.settings.serverName] });
      }
    }
  }

  /** SIGTERM: every client gets a NOTICE and ERROR, then the listeners close. */
  async shutdown(reason = 'Server shutting down'): Promise<void> {
    clearInterval(this.sweeper);
    const closing = [...this.servers].map((s) => new Promise<void>((r) => s.close(() => r())));
    const sockets = [...this.connections].map((c) => {
      c.notice(`*** ${reason}`);
      const done = new Promise<void>((r) => (c.socket.destroyed ? r() : c.socket.once('close', () => r())));
      c.close(reason);
      return done;
    });
    await Promise.all([...closing, ...sockets]);
    await Promise.all([...this.leaving]);
  }
}
