import { Router } from 'express';
import { parseQuery, single, type ApiDocs } from '@canaduck/service-kit';
import { BadRequestError } from '@canaduck/errors';
import type { EventHub } from '../domain/event-hub';
import type { StreamAuth } from '../domain/stream-auth';
import { PollSink, SseSink } from './sinks';
import {
  channelList,
  pollAnswerSchema,
  pollQuerySchema,
  sseStreamSchema,
  streamQuerySchema,
  ticketAnswerSchema,
  wsQuerySchema,
} from './schemas';

export interface StreamRoutesDeps {
  hub: EventHub;
  auth: StreamAuth;
  docs: ApiDocs;
}

const urlToken = (q: Record<string, unknown>) => q.access_token !== undefined || q.token !== undefined || q.jwt !== undefined;

/** GET /events (SSE), GET /events/poll (long poll), POST /events/ticket. */
export function streamRoutes({ hub, auth, docs }: StreamRoutesDeps): Router {
  const router = Router();
  const tags = ['realtime'];
  const refused = 'no token or ticket, a bad, used, expired or revoked one';

  docs.route({
    method: 'post',
    path: '/events/ticket',
    tags,
    auth: 'user',
    summary: 'A single-use ticket (30 s) to open /events or /ws from a browser (?ticket=)',
    responses: {
      201: { description: 'the ticket', schema: docs.schema('StreamTicket', ticketAnswerSchema) },
      401: 'no token, a bad or revoked one',
    },
  });
  router.post('/events/ticket', async (req, res) => {
    const user = await auth.caller(req.headers.authorization, undefined, false);
    res.status(201).json(await auth.issue(user));
  });

  docs.route({
    method: 'get',
    path: '/events',
    tags,
    auth: 'user',
    summary: 'Server-Sent Events: every event the user may see, live; resume with Last-Event-ID or ?after=',
    query: streamQuerySchema,
    responses: {
      200: {
        description: 'text/event-stream of envelopes (id: cursor, event: type, data: envelope)',
        schema: sseStreamSchema,
        contentType: 'text/event-stream',
      },
      400: 'a token in the URL, or a malformed query',
      401: refused,
    },
  });
  router.get('/events', async (req, res) => {
    const query = parseQuery(streamQuerySchema, req.query);
    const user = await auth.caller(req.headers.authorization, query.ticket, urlToken(req.query));
    const lastEventId = single(req.headers['last-event-id']);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    req.socket.setNoDelay(true);
    req.socket.setTimeout(0);
    res.write('retry: 1000\n\n');
    const conn = await hub.open(user, new SseSink(res), { after: lastEventId ?? query.after, subscribe: channelList(query.channels) });
    if (res.destroyed) conn.close(undefined, hub.cursorOf(conn));
    else res.on('close', () => conn.close(undefined, hub.cursorOf(conn)));
  });

  // The upgrade itself is the server's `upgrade` listener (ws-upgrade.ts); described here with the other streams.
  docs.route({
    method: 'get',
    path: '/ws',
    tags,
    auth: 'user',
    summary: 'WebSocket: the same envelopes as /events, one per text frame; subscribe/unsubscribe frames from the client',
    description:
      'An HTTP/1.1 upgrade (`Connection: Upgrade`, `Upgrade: websocket`). Authenticated before the upgrade with a Bearer header or `?ticket=`; a refusal is a JSON HTTP answer, never a socket.',
    query: wsQuerySchema,
    responses: {
      101: 'Switching Protocols: the WebSocket is open',
      400: 'a token in the URL, or a plain GET without the WebSocket upgrade headers',
      401: refused,
    },
  });
  // Only requests without the upgrade headers get here (upgrades go to the server's `upgrade` listener).
  router.get('/ws', () => {
    throw new BadRequestError('GET /ws is a WebSocket upgrade: send Connection: Upgrade and Upgrade: websocket', 'invalid_input');
  });

  docs.route({
    method: 'get',
    path: '/events/poll',
    tags,
    auth: 'user',
    summary: 'Long poll: the events after a cursor, waiting up to `wait` seconds for one',
    query: pollQuerySchema,
    responses: {
      200: { description: 'events and the cursor to ask after next', schema: docs.schema('EventPollAnswer', pollAnswerSchema) },
      400: 'wait over 30 or malformed, a token in the URL',
      401: refused,
    },
  });
  router.get('/events/poll', async (req, res) => {
    const query = parseQuery(pollQuerySchema, req.query);
    if (query.wait !== undefined && !Number.isInteger(query.wait)) throw new BadRequestError('wait must be whole seconds', 'invalid_input');
    const user = await auth.caller(req.headers.authorization, query.ticket, urlToken(req.query));
    const sink = new PollSink();
    const conn = await hub.open(user, sink, { after: query.after, subscribe: channelList(query.channels) });
    const waitMs = (query.wait ?? 25) * 1000;
    await new Promise<void>((resolve) => {
      const done = () => (clearTimeout(timer), (sink.onFrame = undefined), resolve());
      // Frames may still come in the same turn (a batch): answer once it is over.
      sink.onFrame = () => setImmediate(done);
      const timer = setTimeout(done, sink.frames.length > 0 || conn.closed ? 0 : waitMs);
      res.on('close', done);
    });
    const cursor = hub.cursorOf(conn);
    conn.close(undefined, cursor);
    if (res.writableEnded || res.destroyed) return;
    res.type('application/json').send(`{"events":[${sink.frames.join(',')}],"cursor":"${cursor}"}`);
  });

  return router;
}
