import path from 'node:path';
import type { Express } from 'express';
import type { TokenSettings } from '@canaduck/auth';
import { pingDatabase, type Knex } from '@canaduck/db';
import type { Logger } from '@canaduck/logging';
import { createServiceApp } from '@canaduck/service-kit';

export interface AppDeps {
  logger: Logger;
  knex: Knex;
  tokens: TokenSettings;
  serviceSecret: string;
}

/** Builds the user-service's app; tests call this with their own dependencies. */
export function createApp(deps: AppDeps): Express {
  return createServiceApp({
    name: 'user-service',
    logger: deps.logger,
    openapi: { title: 'CanaDuck IRC user-service', apis: [path.join(__dirname, 'routes', '*.{ts,js}')] },
    readiness: { database: () => pingDatabase(deps.knex) },
    routes: () => undefined,
  });
}
