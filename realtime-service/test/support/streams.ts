import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createDatabase, runMigrations, type Knex } from '@canaduck/db';
import { EventBackbone, eventFeedRoutes, outboxMigrations, Outbox, SOURCE_SERVICES, type SourceService } from '@canaduck/events';
import { createLogger } from '@canaduck/logging';
import { testFeedAccess, uniqueName } from '@canaduck/testing';

export const logger = createLogger('realtime-test', 'silent');
export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * The three source streams as the services will serve them (@canaduck/events' outbox, sequencer
 * and feed over SQLite in a temp dir), with a NATS relay when `nats` is given: what channel- and
 * user-service will emit is appended here until their outboxes land.
 */
export class SourceStreams {
  private readonly knexes: Partial<Record<SourceService, Knex>> = {};
  private readonly backbones: Partial<Record<SourceService, EventBackbone>> = {};
  private readonly outboxes: Partial<Record<SourceService, Outbox>> = {};
  private server: Server | undefined;
  readonly namespace = uniqueName('rt');
  url = '';

  constructor(
    readonly nats: boolean,
    private readonly retentionMs?: number,
  ) {}

  async start(): Promise<this> {
    const app = express();
    for (const service of SOURCE_SERVICES) {
      const knex = await createDatabase({ service: `${service}-events`, sqliteFile: ':memory:' });
      await runMigrations(knex, outboxMigrations);
      const backbone = new EventBackbone({
        knex,
        service,
        logger,
        natsUrl: this.nats ? NATS_URL : undefined,
        natsNamespace: this.namespace,
        pollMs: 10,
        retentionMs: this.retentionMs,
        pruneEveryMs: this.retentionMs ? 50 : undefined,
      });
      await backbone.start();
      this.knexes[service] = knex;
      this.backbones[service] = backbone;
      this.outboxes[service] = new Outbox({ knex, service });
      app.use(`/${service}`, eventFeedRoutes(backbone, testFeedAccess(`${backbone.service}-service`)));
    }
    this.server = await listen(app);
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async append(service: SourceService, type: string, data: unknown): Promise<void> {
    await this.knexes[service]!.transaction((trx) => this.outboxes[service]!.append(trx, [{ type, data }]));
    this.backbones[service]!.poke();
  }

  async head(service: SourceService): Promise<number> {
    return this.backbones[service]!.head();
  }

  feedUrl(service: SourceService): string {
    return `${this.url}/${service}`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
    for (const s of SOURCE_SERVICES) {
      await this.backbones[s]?.stop();
      await this.knexes[s]?.destroy();
    }
  }
}

export function listen(handler: http.RequestListener): Promise<Server> {
  return new Promise((resolve) => {
    const server = http.createServer(handler).listen(0, '127.0.0.1', () => resolve(server));
  });
}
