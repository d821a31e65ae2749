import { isMysql, type Knex } from '@canaduck/db';
import type { EventStore } from './event-store';
import type { EventLogger } from './types';

export interface SequencerOptions {
  knex: Knex;
  service: string;
  store: EventStore;
  logger: EventLogger;
  /** Leader: how often it looks for other replicas' commits. */
  pollMs: number;
  /** Follower: how often it tries to become leader. */
  electionMs: number;
  batchSize: number;
  /** Called by the leader after each pass that gave seqs (new head), and after each pass at all (head 0). */
  onPass: (newHead: number) => Promise<void> | void;
}

type RawConnection = unknown;

/**
 * Gives each committed event its dense `seq`, after commit, in one transaction per pass: a late
 * commit simply gets the next number when it becomes visible, so a reader never has to skip or
 * wait at a gap. One sequencer per service: on MySQL the replicas elect it with
 * GET_LOCK('<db>.<service>-sequencer', 0), held by a dedicated connection on which the passes
 * also run; when that connection dies, the lock and any pass in flight die with it and another
 * replica takes over. SQLite means one process: it is always the leader.
 */
export class Sequencer {
  private leaderConn: RawConnection | undefined;
  private leader = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private lockName: string | undefined;
  private readonly mysql: boolean;

  constructor(private readonly o: SequencerOptions) {
    this.mysql = isMysql(o.knex);
  }

  get isLeader(): boolean {
    return this.leader;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    await this.resign();
  }

  /**
   * Runs a pass now (coalesced with one in flight). On a follower it does nothing: an election
   * attempt per commit would only load the database, and the leader's poll finds the commit.
   */
  poke(): void {
    if (this.stopped || (this.mysql && !this.leader)) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.pass()
        .catch((err: unknown) => this.o.logger.error({ err: (err as Error).message }, 'sequencer pass failed'))
        .then((more) => {
          this.running = undefined;
          const now = more === true || this.again;
          this.again = false;
          this.schedule(now ? 0 : this.leader ? this.o.pollMs : this.o.electionMs);
        });
    }, ms);
  }

  /** One pass; true when a full batch was sequenced (more may be waiting). */
  private async pass(): Promise<boolean> {
    if (!this.leader && !(await this.elect())) return false;
    let head = 0;
    try {
      const config = this.leaderConn !== undefined ? { connection: this.leaderConn } : undefined;
      head = await this.o.knex.transaction((trx) => this.o.store.sequencePending(trx, this.o.batchSize), config);
    } catch (err) {
      if (this.mysql && isConnectionLost(err)) {
        this.o.logger.warn({ err: (err as Error).message, service: this.o.service }, 'sequencer lost its lock connection: stepping down');
        await this.resign();
        return false;
      }
      throw err;
    }
    await this.o.onPass(head);
    return head > 0 && (await this.pendingLeft());
  }

  private async pendingLeft(): Promise<boolean> {
    const row = (await this.o.knex('outbox_events').whereNull('seq').first('id')) as unknown;
    return row !== undefined;
  }

  private async elect(): Promise<boolean> {
    if (!this.mysql) {
      this.leader = true;
      return true;
    }
    const client = this.o.knex.client as {
      acquireConnection(): Promise<RawConnection>;
      releaseConnection(c: RawConnection): Promise<void>;
    };
    if (!this.lockName) {
      const [rows] = (await this.o.knex.raw('SELECT DATABASE() AS db')) as [Array<{ db: string | null }>];
      this.lockName = `${rows[0]?.db ?? 'canaduck'}.${this.o.service}-sequencer`.slice(0, 64);
    }
    const conn = await client.acquireConnection();
    try {
      const [rows] = (await this.o.knex.raw('SELECT GET_LOCK(?, 0) AS got', [this.lockName]).connection(conn as never)) as [
        Array<{ got: number | null }>,
      ];
      if (Number(rows[0]?.got) === 1) {
        this.leaderConn = conn;
        this.leader = true;
        this.o.logger.info({ service: this.o.service, lock: this.lockName }, 'sequencer elected');
        return true;
      }
    } catch (err) {
      this.o.logger.warn({ err: (err as Error).message }, 'sequencer election failed');
    }
    await client.releaseConnection(conn);
    return false;
  }

  /** Gives the lock and its connection back (the connection is dropped when it is dead). */
  private async resign(): Promise<void> {
    const conn = this.leaderConn;
    this.leader = false;
    this.leaderConn = undefined;
    if (conn === undefined) return;
    const client = this.o.knex.client as { releaseConnection(c: RawConnection): Promise<void> };
    try {
      await this.o.knex.raw('SELECT RELEASE_LOCK(?)', [this.lockName ?? '']).connection(conn as never);
    } catch {
      // A dead connection has already released the lock.
    }
    await client.releaseConnection(conn).catch(() => undefined);
  }

  /** Tests: the id of the connection holding the lock (to kill it). */
  async leaderConnectionId(): Promise<number | undefined> {
    if (this.leaderConn === undefined) return undefined;
    const [rows] = (await this.o.knex.raw('SELECT CONNECTION_ID() AS id').connection(this.leaderConn as never)) as [Array<{ id: number }>];
    return Number(rows[0].id);
  }
}

function isConnectionLost(err: unknown): boolean {
  const e = err as { code?: string; fatal?: boolean; message?: string };
  return (
    e.fatal === true ||
    e.code === 'PROTOCOL_CONNECTION_LOST' ||
    e.code === 'ECONNRESET' ||
    e.code === 'EPIPE' ||
    /closed state|connection lost|Connection is closed|ER_CONNECTION_KILLED/i.test(e.message ?? '') ||
    e.code === 'ER_CONNECTION_KILLED'
  );
}
