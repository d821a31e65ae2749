import http from 'node:http';
import express from 'express';
import { createLogger } from '@canaduck/logging';
import { errorMiddleware } from '@canaduck/errors';
import { EventBackbone, eventFeedRoutes, Outbox, outboxMigrations } from '@canaduck/events';
import { createTestDatabase, testFeedAccess, type TestDatabase, type TestDbKind } from '@canaduck/testing';

/**
 * user-service's event stream as channel-service reads it: a real events backbone (outbox,
 * sequencer) on its own database, served by the real `GET /internal/events` route on a real port,
 * with user-service's service keys and INTERNAL_CALLERS row. Events are appended the way
 * user-service appends them, in a committed transaction.
 */
export interface UserStreamFeed {
  url: string;
  /** Appends a committed `user.deleted` of `pseudo`; resolves with its seq. */
  deleted(pseudo: string): Promise<number>;
  /** Appends any committed user event; resolves with its seq. */
  append(type: string, data: Record<string, unknown>): Promise<number>;
  close(): Promise<void>;
}

/** Starts the feed on `port` (default: any free one). */
export async function startUserStreamFeed(kind: TestDbKind, port = 0): Promise<UserStreamFeed> {
  const db: TestDatabase = await createTestDatabase('user-service', outboxMigrations, kind);
  const backbone = new EventBackbone({
    knex: db.knex,
    service: 'user',
    logger: createLogger('user-service', 'silent'),
    pollMs: 10,
    electionMs: 50,
    readPollMs: 20,
  });
  await backbone.start();
  const outbox = new Outbox({ knex: db.knex, service: 'user' });
  const app = express();
  app.use(eventFeedRoutes(backbone, testFeedAccess('user-service')));
  app.use(errorMiddleware());
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  let appended = 0;
  const append = async (type: string, data: Record<string, unknown>) => {
    await db.knex.transaction((trx) => outbox.append(trx, [{ type, data }]));
    backbone.poke();
    // One writer, one event per commit: seqs are dense from 1 in this order.
    return ++appended;
  };
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    append,
    deleted: (pseudo) => append('user.deleted', { pseudo, revoked_before: new Date().toISOString() }),
    close: async () => {
      // The backbone first: it wakes the long polls still waiting, which answer before the server closes.
      await backbone.stop();
      await new Promise((resolve) => server.close(resolve));
      await db.destroy();
    },
  };
}
