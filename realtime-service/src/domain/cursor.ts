import type { SourceService } from '@canaduck/events';

/** Position in each source stream: the last seq a connection has been given (or passed over). */
export type Position = Record<SourceService, number>;

export const STREAMS: readonly SourceService[] = ['user', 'channel', 'message'];

export const zeroPosition = (): Position => ({ user: 0, channel: 0, message: 0 });

/**
 * A cursor is opaque to clients: `r1.<user>.<channel>.<message>` in base64url. It holds the
 * position in every stream, so any replica can resume it (no session state on the server).
 */
export function encodeCursor(p: Position): string {
  return Buffer.from(`r1.${p.user}.${p.channel}.${p.message}`).toString('base64url');
}

/** The position of a cursor, or undefined when it is not one of ours. */
export function decodeCursor(cursor: string): Position | undefined {
  if (cursor.length > 120) return undefined;
  const m = /^r1\.(\d{1,15})\.(\d{1,15})\.(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) return undefined;
  return { user: Number(m[1]), channel: Number(m[2]), message: Number(m[3]) };
}
