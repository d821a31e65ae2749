import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Express } from 'express';
import { knex as knexFactory } from 'knex';
import { ServiceTokenMinter } from '@canaduck/auth';
import { type CommonConfig, loadConfig, type z } from '@canaduck/config';
import { createLogger } from '@canaduck/logging';
import { serviceKeysOf, serviceSecretFrom, tokenSettingsFrom } from '@canaduck/service-kit';
import { ROOT } from './repo';

/** What a service's dist/config.js exports (issue 21's shape). */
interface ServiceConfigModule {
  configShape: z.ZodRawShape;
  settingsFrom: (config: unknown) => unknown;
}

export type Closer = () => Promise<void> | void;

/**
 * The document a service describes in code (ApiDocs, issue 21's one shape): its built app (dist/,
 * after `npm run build`) made the way its main.ts makes it, over an in-memory SQLite database it
 * never queries, and its /openapi.json fetched. `closers` collects what it opened.
 */
export async function serviceDocument(service: string, closers: Closer[]): Promise<Record<string, unknown>> {
  const dist = <T>(name: string) => require(path.join(ROOT, service, 'dist', name)) as T;
  const { configShape, settingsFrom } = dist<ServiceConfigModule>('config');
  const { createClients } = dist<{ createClients: (o: unknown) => { close(): void } }>('clients');
  const { createApp } = dist<{ createApp: (deps: unknown) => Express }>('app');
  const knex = knexFactory({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true });
  closers.push(() => knex.destroy());
  const config = loadConfig(configShape, { JWT_SECRET: 'openapi-documents-test-secret-0123456789' }) as CommonConfig;
  const logger = createLogger(service, 'silent');
  const serviceSecret = serviceSecretFrom(config);
  const serviceKeys = serviceKeysOf(service, config);
  const clients = createClients({ config, serviceTokens: new ServiceTokenMinter(serviceKeys), logger });
  closers.push(() => clients.close());
  const app = createApp({
    logger,
    knex,
    tokens: tokenSettingsFrom(config),
    serviceSecret,
    serviceKeys,
    settings: settingsFrom(config),
    clients,
    guards: { accessLog: 'off' },
  });
  const server = app.listen(0, '127.0.0.1');
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return (await (await fetch(`http://127.0.0.1:${port}/openapi.json`)).json()) as Record<string, unknown>;
}
