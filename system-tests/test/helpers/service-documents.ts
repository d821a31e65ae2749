import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Express } from 'express';
import { knex as knexFactory } from 'knex';
import { ServiceTokenMinter } from '@canaduck/auth';
import { type CommonConfig, loadConfig, type z } from '@canaduck/config';
import { createLogger } from '@canaduck/logging';
import { buildOpenApiDocument, serviceSecretFrom, tokenSettingsFrom } from '@canaduck/service-kit';
import { ROOT } from './repo';

/** What a service's dist/config.js exports (issue 21's shape). */
interface ServiceConfigModule {
  configShape: z.ZodRawShape;
  settingsFrom: (config: unknown) => unknown;
}

/**
 * The schemas a service passes as `openapi.components`: by convention its exported
 * `openapiSchemas` (src/openapi-schemas.ts or src/routes/openapi-schemas.ts), plain data.
 * Loaded by path rather than through the service's createApp, which would need a database.
 */
function componentSchemas(service: string): Record<string, unknown> | undefined {
  for (const rel of ['src/openapi-schemas.ts', 'src/routes/openapi-schemas.ts']) {
    const file = path.join(ROOT, service, rel);
    if (fs.existsSync(file)) {
      return (require(file) as { openapiSchemas: Record<string, unknown> }).openapiSchemas;
    }
  }
  return undefined;
}

/** Whether the service still describes its routes with `@openapi` comment blocks (swagger-jsdoc). */
function usesCommentBlocks(service: string): boolean {
  const dir = path.join(ROOT, service, 'src', 'routes');
  return fs
    .readdirSync(dir, { recursive: true })
    .map(String)
    .some((f) => f.endsWith('.ts') && fs.readFileSync(path.join(dir, f), 'utf8').includes('@openapi'));
}

export type Closer = () => Promise<void> | void;

/**
 * The document a service describes in code (ApiDocs, issue 21's one shape): its built app (dist/,
 * after `npm run build`) made the way its main.ts makes it, over an in-memory SQLite database it
 * never queries, and its /openapi.json fetched.
 */
async function builtDocument(service: string, closers: Closer[]): Promise<Record<string, unknown>> {
  const dist = <T>(name: string) => require(path.join(ROOT, service, 'dist', name)) as T;
  const { configShape, settingsFrom } = dist<ServiceConfigModule>('config');
  const { createClients } = dist<{ createClients: (o: unknown) => { close(): void } }>('clients');
  const { createApp } = dist<{ createApp: (deps: unknown) => Express }>('app');
  const knex = knexFactory({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true });
  closers.push(() => knex.destroy());
  const config = loadConfig(configShape, { JWT_SECRET: 'openapi-documents-test-secret-0123456789' }) as CommonConfig;
  const logger = createLogger(service, 'silent');
  const serviceSecret = serviceSecretFrom(config);
  const clients = createClients({ config, serviceTokens: new ServiceTokenMinter(service, serviceSecret), logger });
  closers.push(() => clients.close());
  const app = createApp({
    logger,
    knex,
    tokens: tokenSettingsFrom(config),
    serviceSecret,
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

/** A service's OpenAPI document, built the way its app builds it; `closers` collects what it opened. */
export async function serviceDocument(service: string, closers: Closer[]): Promise<Record<string, unknown>> {
  if (!usesCommentBlocks(service)) return builtDocument(service, closers);
  return buildOpenApiDocument(service, {
    title: service,
    apis: [path.join(ROOT, service, 'src', 'routes', '*.ts')],
    components: componentSchemas(service),
  });
}
