import path from 'node:path';
import type { Express } from 'express';
import type { TokenSettings } from '@canaduck/auth';

import type { Logger } from '@canaduck/logging';
import { createServiceApp } from '@canaduck/service-kit';

export interface AppDeps {
  logger: Logger;

  tokens: TokenSettings;
  serviceSecret: string;
}

/** Builds the gateway-service's app; tests call this with their own dependencies. */
export function createApp(deps: AppDeps): Express {
  return createServiceApp({
    name: 'gateway-service',
    logger: deps.logger,
    openapi: { title: 'CanaDuck IRC gateway-service', apis: [path.join(__dirname, 'routes', '*.{ts,js}')] },

    routes: () => undefined,
  });
}
