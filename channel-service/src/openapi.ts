import { ServiceTokenMinter } from '@canaduck/auth';
import { loadConfig } from '@canaduck/config';
import { createDatabase } from '@canaduck/db';
import { createLogger } from '@canaduck/logging';
import { ApiDocs, serviceSecretFrom, tokenSettingsFrom } from '@canaduck/service-kit';
import { API_INFO, createApp } from './app';
import { createClients } from './clients';
import { configShape, settingsFrom } from './config';

/**
 * channel-service's OpenAPI document, built from source without serving anything: the routes
 * describe themselves as createApp mounts them. system-tests and the lint scripts read it here
 * (`node dist/openapi.js > channel-service.json`); the running service serves the same at /openapi.json.
 */
export async function openapiDocument(): Promise<Record<string, unknown>> {
  // A throwaway secret and an in-memory database: the app is built, never called.
  const config = loadConfig(configShape, { JWT_SECRET: 'openapi-document-only-'.padEnd(32, '-') });
  const logger = createLogger('channel-service', 'silent');
  const knex = await createDatabase({ service: 'channel-service', sqliteFile: ':memory:' });
  const clients = createClients({ config, serviceTokens: new ServiceTokenMinter('channel-service', serviceSecretFrom(config)), logger });
  try {
    const docs = new ApiDocs();
    createApp({
      logger,
      knex,
      tokens: tokenSettingsFrom(config),
      serviceSecret: serviceSecretFrom(config),
      settings: settingsFrom(config),
      clients,
      docs,
    });
    return docs.document(API_INFO);
  } finally {
    clients.close();
    await knex.destroy();
  }
}

if (require.main === module) {
  void openapiDocument().then((doc) => process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`));
}
