import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { ServiceTokenMinter } from '@canaduck/auth';
import { loadConfig } from '@canaduck/config';
import { createDatabase } from '@canaduck/db';
import { createLogger } from '@canaduck/logging';
import { appBase, tokenSettingsFrom, serviceSecretFrom, type ServiceContext } from '@canaduck/service-kit';
import { ROOT } from './repo';

interface ShapedService {
  configShape: Parameters<typeof loadConfig>[0];
  settingsFrom: (config: unknown) => unknown;
  createClients: (o: { config: unknown; serviceTokens: ServiceTokenMinter; logger: unknown }) => { close(): void };
  createApp: (deps: Record<string, unknown>) => Parameters<typeof request>[0];
}

/** The service's modules when it has the one service shape (docs/contributing.md), else undefined. */
function shapedService(service: string): ShapedService | undefined {
  const src = path.join(ROOT, service, 'src');
  const files = ['config.ts', path.join('clients', 'index.ts'), 'app.ts'].map((f) => path.join(src, f));
  if (!files.every((f) => fs.existsSync(f))) return undefined;
  const [config, clients, app] = files.map((f) => require(f) as Record<string, unknown>);
  if (!config.configShape || !config.settingsFrom || !clients.createClients || !app.createApp) return undefined;
  return { ...config, ...clients, ...app } as unknown as ShapedService;
}

/**
 * The document a service with the one shape serves at /openapi.json: its routes describe
 * themselves (ApiDocs) as createApp mounts them, so the app is built the way main.ts builds it,
 * over an in-memory SQLite database nothing queries and clients nothing calls.
 * Undefined for a service that still describes its routes in `@openapi` comment blocks.
 */
export async function servedDocument(service: string): Promise<Record<string, unknown> | undefined> {
  const shaped = shapedService(service);
  if (!shaped) return undefined;
  const config = loadConfig(shaped.configShape, { JWT_SECRET: 'x'.repeat(32), LOG_LEVEL: 'silent' }) as Parameters<
    typeof tokenSettingsFrom
  >[0];
  const logger = createLogger(service, 'silent');
  const knex = await createDatabase({ service, sqliteFile: ':memory:' });
  const serviceTokens = new ServiceTokenMinter(service, serviceSecretFrom(config));
  const ctx: ServiceContext<unknown> = {
    config,
    logger,
    knex,
    tokens: tokenSettingsFrom(config),
    serviceSecret: serviceSecretFrom(config),
    serviceTokens,
  };
  const clients = shaped.createClients({ config, serviceTokens, logger });
  try {
    const app = shaped.createApp({ ...appBase(ctx), settings: shaped.settingsFrom(config), clients });
    const res = await request(app).get('/openapi.json');
    if (res.status !== 200) throw new Error(`${service}: /openapi.json answered ${res.status}`);
    return res.body as Record<string, unknown>;
  } finally {
    clients.close();
    await knex.destroy();
  }
}
