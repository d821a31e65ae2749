import { isMysql, type Knex } from '@canaduck/db';
import type { MessageRecord } from '../domain/message';

/** The columns of `messages` the domain needs (lists select only these). */
export const MESSAGE_COLUMNS = [
  'id',
  'channel',
  'channel_id',
  'to_pseudo',
  'from_pseudo',
  'from_key',
  'text',
  'created_at',
  'edited_at',
  'reply_to',
  'root_id',
  'pinned',
  'reactions',
] as const;

export interface MessageRow {
  id: number | string;
  channel: string | null;
  channel_id: string | null;
  to_pseudo: string | null;
  from_pseudo: string;
  from_key: string;
  text: string;
  created_at: number | string;
  edited_at: number | string | null;
  reply_to: number | string | null;
  root_id: number | string | null;
  pinned: number | boolean;
  /** JSON `[[emoji, pseudo], ...]` in reaction order (migration 004), null when there is none. */
  reactions: string | null;
}

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

export function fromRow(r: MessageRow): MessageRecord {
  return {
    id: Number(r.id),
    channel: r.channel,
    channelId: r.channel_id,
    to: r.to_pseudo,
    from: r.from_pseudo,
    fromKey: r.from_key,
    text: r.text,
    createdAt: Number(r.created_at),
    editedAt: num(r.edited_at),
    replyTo: num(r.reply_to),
    rootId: num(r.root_id),
    pinned: r.pinned === true || r.pinned === 1,
    reactions: reactionsFrom(r.reactions),
  };
}

/**
 * The stored `messages.reactions` JSON grouped per emoji, each emoji at its first reaction and its
 * pseudos in reaction order: the object of structures.md section 4.
 */
export function reactionsFrom(json: string | null): Record<string, string[]> {
  const byEmoji: Record<string, string[]> = {};
  if (json === null) return byEmoji;
  for (const [emoji, pseudo] of JSON.parse(json) as Array<[string, string]>) (byEmoji[emoji] ??= []).push(pseudo);
  return byEmoji;
}

/** What `messages.reactions` stores for these reactions, oldest first: null for none. */
export function reactionsJson(pairs: ReadonlyArray<{ emoji: string; pseudo: string }>): string | null {
  return pairs.length === 0 ? null : JSON.stringify(pairs.map((p) => [p.emoji, p.pseudo]));
}

/** `?, ?, ...` for an IN list of `n` values. */
export const placeholders = (n: number): string => new Array<string>(n).fill('?').join(', ');

/**
 * Runs a raw SELECT and returns its rows on either database. The hot paths (a page, its reactions,
 * a post) use raw statements: building them with knex's query builder was a visible share of the
 * CPU of each request.
 */
export async function selectRows<T>(knex: Knex | Knex.Transaction, sql: string, bindings: readonly unknown[]): Promise<T[]> {
  const result = (await knex.raw(sql, bindings as Knex.RawBinding[])) as unknown;
  return (isMysql(knex as Knex) ? (result as [T[]])[0] : result) as T[];
}

interface PooledConnection {
  __knexUid?: string;
  query(sql: string, bindings: readonly unknown[], cb: (err: Error | null, rows: unknown) => void): void;
}

interface PoolClient {
  acquireConnection(): Promise<PooledConnection>;
  releaseConnection(conn: PooledConnection): Promise<void>;
  emit(event: string, data: unknown): boolean;
}

/**
 * selectRows on MySQL without knex's query runner: a connection of knex's own pool (same size,
 * same acquire timeout and errors, knex's `query` event still emitted) runs the statement
 * through mysql2 directly. The runner's work around each statement (compiling the raw SQL
 * again, its promise chain, the response processing) was a visible part of a page's CPU.
 */
export async function selectRowsDirect<T>(knex: Knex, sql: string, bindings: readonly unknown[]): Promise<T[]> {
  if (!isMysql(knex)) return selectRows<T>(knex, sql, bindings);
  const client = knex.client as unknown as PoolClient;
  const conn = await client.acquireConnection();
  try {
    client.emit('query', { __knexUid: conn.__knexUid, method: 'raw', sql, bindings });
    return await new Promise<T[]>((resolve, reject) => {
      conn.query(sql, bindings, (err, rows) => (err ? reject(err) : resolve(rows as T[])));
    });
  } finally {
    void client.releaseConnection(conn);
  }
}
