import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { AppError } from '@canaduck/errors';
import type { Logger } from '@canaduck/logging';
import type { Connection } from '../domain/connection';
import type { EventHub } from '../domain/event-hub';
import { controlFrame } from '../domain/frames';
import type { StreamAuth } from '../domain/stream-auth';
import { WsSink } from './sinks';
import { channelList, wsClientFrameSchema } from './schemas';

export interface WsUpgradeDeps {
  hub: EventHub;
  auth: StreamAuth;
  logger: Logger;
}

/**
 * GET /ws: the upgrade is authenticated first (Bearer header or ?ticket=), refused with a JSON
 * HTTP answer otherwise. Compression stays off (per-message deflate costs memory per socket).
 */
export function wsUpgradeHandler({ hub, auth, logger }: WsUpgradeDeps) {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 4096, clientTracking: false });

  const refuse = (socket: Duplex, status: number, body: { error: string; code: string }) => {
    const json = JSON.stringify(body);
    socket.end(
      `HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : status === 400 ? 'Bad Request' : 'Unauthorized'}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(json)}\r\nconnection: close\r\n\r\n${json}`,
    );
  };

  const handler = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://realtime');
    if (url.pathname !== '/ws') return refuse(socket, 404, { error: `no WebSocket at ${url.pathname}`, code: 'not_found' });
    const q = url.searchParams;
    const inUrl = q.has('access_token') || q.has('token') || q.has('jwt');
    auth.caller(req.headers.authorization, q.get('ticket') ?? undefined, inUrl).then(
      (user) =>
        wss.handleUpgrade(req, socket, head, (ws) => {
          void attach(ws, user, q.get('after') ?? undefined, channelList(q.get('channels') ?? undefined));
        }),
      (err: unknown) => {
        if (err instanceof AppError) return refuse(socket, err.status, { error: err.message, code: err.code ?? 'unauthorized' });
        logger.error({ err }, 'WebSocket upgrade failed');
        socket.destroy();
      },
    );
  };

  const attach = async (ws: WebSocket, user: Parameters<EventHub['open']>[0], after: string | undefined, subscribe: string[]) => {
    // Frames that come while the connection catches up are answered once it is live.
    const state: { conn?: Connection } = {};
    const pending: Buffer[] = [];
    ws.on('message', (raw: Buffer) => (state.conn ? void command(state.conn, ws, raw) : pending.push(raw)));
    ws.on('close', () => state.conn?.close(undefined, hub.cursorOf(state.conn)));
    ws.on('error', () => ws.terminate());
    const conn = await hub.open(user, new WsSink(ws), { after, subscribe });
    if (ws.readyState !== ws.OPEN) return conn.close(undefined, hub.cursorOf(conn));
    while (pending.length > 0) await command(conn, ws, pending.shift()!);
    state.conn = conn;
  };

  const command = async (conn: Connection, ws: WebSocket, raw: Buffer) => {
    let frame: unknown;
    try {
      frame = JSON.parse(raw.toString('utf8'));
    } catch {
      frame = undefined;
    }
    const parsed = wsClientFrameSchema.safeParse(frame);
    const at = new Date().toISOString();
    const cursor = hub.cursorOf(conn);
    if (!parsed.success) {
      const data = { error: 'expected {"type":"subscribe"|"unsubscribe","channel":"<name>"}', code: 'invalid_frame' };
      return conn.send(controlFrame('error', cursor, at, data));
    }
    const channel = parsed.data.channel.replace(/^#/, '').toLowerCase();
    if (parsed.data.type === 'unsubscribe') {
      hub.unsubscribe(conn, channel);
      return conn.send(controlFrame('unsubscribed', cursor, at, { channel }));
    }
    if (await hub.subscribe(conn, channel)) return conn.send(controlFrame('subscribed', cursor, at, { channel }));
    const data = { error: `#${channel} cannot be read`, code: 'channel_not_readable', channel };
    conn.send(controlFrame('error', cursor, at, data));
    void ws;
  };

  return { handler, close: () => wss.close() };
}
