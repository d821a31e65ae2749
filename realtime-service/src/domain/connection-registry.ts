import type { Connection } from './connection';

/** The connections of one process, indexed by user and by channel of interest. */
export class ConnectionRegistry {
  readonly all = new Set<Connection>();
  private readonly byUser = new Map<string, Set<Connection>>();
  private readonly byChannel = new Map<string, Set<Connection>>();

  add(conn: Connection): void {
    this.all.add(conn);
    addTo(this.byUser, conn.key, conn);
  }

  remove(conn: Connection): void {
    this.all.delete(conn);
    removeFrom(this.byUser, conn.key, conn);
    for (const ch of [...conn.channels, ...conn.subscriptions]) removeFrom(this.byChannel, ch, conn);
  }

  ofUser(pseudo: string): Iterable<Connection> {
    return this.byUser.get(pseudo.toLowerCase()) ?? [];
  }

  ofChannel(channel: string): Iterable<Connection> {
    return this.byChannel.get(channel) ?? [];
  }

  /** kind: member (joined) or subscription (reads without joining). */
  addInterest(conn: Connection, channel: string, kind: 'member' | 'subscription'): void {
    (kind === 'member' ? conn.channels : conn.subscriptions).add(channel);
    if (this.all.has(conn)) addTo(this.byChannel, channel, conn);
  }

  removeInterest(conn: Connection, channel: string, kind: 'member' | 'subscription' | 'both'): void {
    if (kind !== 'subscription') conn.channels.delete(channel);
    if (kind !== 'member') conn.subscriptions.delete(channel);
    if (!conn.interestedIn(channel)) removeFrom(this.byChannel, channel, conn);
  }

  /** Indexes the interests a connection gathered before it was added. */
  indexInterests(conn: Connection): void {
    for (const ch of [...conn.channels, ...conn.subscriptions]) addTo(this.byChannel, ch, conn);
  }
}

function addTo(m: Map<string, Set<Connection>>, k: string, c: Connection): void {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  s.add(c);
}

function removeFrom(m: Map<string, Set<Connection>>, k: string, c: Connection): void {
  const s = m.get(k);
  if (!s) return;
  s.delete(c);
  if (s.size === 0) m.delete(k);
}
