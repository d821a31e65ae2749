import type { RequestListener } from 'node:http';
import type { Express } from 'express';
import { type ServiceKeys, ServiceTokenMinter, type TokenSettings } from '@canaduck/auth';
import { type CommonConfig, loadConfigOrExit, type z } from '@canaduck/config';
import type { Knex, Migration } from '@canaduck/db';
import { createLogger, type Logger } from '@canaduck/logging';
import { installProcessHandlers, startServer, type StartOptions } from './server';
import { setProcessGuards } from './availability';
import { openServiceDatabase, serviceKeysOf, serviceSecretFrom, tokenSettingsFrom, watchServiceDatabase } from './service-context';

export interface ServiceContext<C> {
  config: C;
  logger: Logger;
  /** Present when the service declared migrations (it owns a database). */
  knex?: Knex;
  tokens: TokenSettings;
  /** SERVICE_TOKEN_SECRET (else JWT_SECRET), when set: what local runs derive the service keys from. */
  serviceSecret?: string;
  /** This service's key and its callers' public keys (internal calls). */
  serviceKeys: ServiceKeys;
  /** Mints this service's tokens for its internal calls, one per callee. */
  serviceTokens: ServiceTokenMinter;
}

/** What every service's createApp takes from the context. */
export interface AppBase {
  logger: Logger;
  knex: Knex;
  tokens: TokenSettings;
  /** Checks the service tokens of the internal routes (requireService). */
  serviceKeys: ServiceKeys;
}

/** The context's logger, database, token settings and service keys, for a service that owns a database. */
export function appBase<C>(ctx: ServiceContext<C>): AppBase {
  if (!ctx.knex) throw new Error('appBase needs a database: declare the service migrations');
  return { logger: ctx.logger, knex: ctx.knex, tokens: ctx.tokens, serviceKeys: ctx.serviceKeys };
}

/** A background worker (a backbone, a poller, a revocation map) that runService starts and stops. */
export interface ServiceWorker {
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
}

export interface BuiltService {
  app: Express;
  /**
   * Started in this order before the server listens; stopped in the reverse order once the last
   * request has finished, before `onShutdown`, the clients and the database.
   */
  workers?: ServiceWorker[];
  /** The service's outbound clients (createClients): closed after the workers and `onShutdown`, before the database. */
  clients?: { close(): void | Promise<void> };
  /** Optional plain handler in front of `app` (see StartOptions.handler). */
  handler?: RequestListener;
  /** See StartOptions.shapeRequests. */
  shapeRequests?: boolean;
  onShutdown?: Array<() => Promise<void> | void>;
  /** See StartOptions.onUpgrade. */
  onUpgrade?: StartOptions['onUpgrade'];
  /** See StartOptions.onSignal. */
  onSignal?: StartOptions['onSignal'];
}

export interface RunServiceOptions<S extends z.ZodRawShape> {
  name: string;
  /** Must include commonShape and a PORT field. */
  shape: S;
  migrations?: Migration[];
  build: (ctx: ServiceContext<z.infer<z.ZodObject<S>>>) => BuiltService | Promise<BuiltService>;
}

/** What every `main.ts` does: config (fail fast), logger, database, app, listen, graceful stop. */
export async function runService<S extends z.ZodRawShape>(o: RunServiceOptions<S>): Promise<void> {
  const config = loadConfigOrExit(o.shape) as z.infer<z.ZodObject<S>> & CommonConfig & { PORT: number };
  const logger = createLogger(o.name, config.LOG_LEVEL);
  installProcessHandlers(logger);
  try {
    const knex = o.migrations ? await openServiceDatabase(o.name, config, o.migrations, logger) : undefined;
    // A service with a database fails fast while it does not answer: watchdog, gate and deadline,
    // installed by createServiceApp from these process guards.
    const watched = knex ? await watchServiceDatabase(o.name, config, logger) : undefined;
    setProcessGuards({
      accessLog: config.ACCESS_LOG,
      ...(knex ? { requestTimeoutMs: config.REQUEST_TIMEOUT_MS, databaseUp: watched && (() => watched.watchdog.up) } : {}),
    });
    const serviceSecret = serviceSecretFrom(config);
    const serviceKeys = serviceKeysOf(o.name, config);
    const {
      app,
      handler,
      shapeRequests,
      onUpgrade,
      onSignal,
      workers = [],
      clients,
      onShutdown = [],
    } = await o.build({
      config,
      logger,
      knex,
      tokens: tokenSettingsFrom(config),
      serviceSecret,
      serviceKeys,
      serviceTokens: new ServiceTokenMinter(serviceKeys),
    });
    for (const worker of workers) await worker.start();
    const stopWorkers = [...workers].reverse().map((worker) => () => worker.stop());
    await startServer({
      app,
      handler,
      shapeRequests,
      onUpgrade,
      onSignal,
      port: config.PORT,
      logger,
      shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
      drainMs: config.SHUTDOWN_DRAIN_MS,
      onShutdown: [...stopWorkers, ...onShutdown, async () => clients?.close(), async () => watched?.close(), async () => knex?.destroy()],
    });
  } catch (err) {
    logger.fatal({ err }, 'start-up failed');
    process.exit(1);
  }
}
