import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ServiceTokenMinter } from '@canaduck/auth';
import { loadConfig } from '@canaduck/config';
import { createLogger } from '@canaduck/logging';
import { createTestDatabase, testServiceSecret, testTokenSettings, testServiceKeys } from '@canaduck/testing';
import { createMessageApp } from '../../../message-service/src/app';
import { createClients as messageClients } from '../../../message-service/src/clients';
import { configShape as messageShape, settingsFrom as messageSettings } from '../../../message-service/src/config';
import { migrations as messageMigrations } from '../../../message-service/src/migrations';
import { createGateway } from '../../../gateway-service/src/app';
import { createClients as gatewayClients } from '../../../gateway-service/src/clients';
import { configShape as gatewayShape, settingsFrom as gatewaySettings } from '../../../gateway-service/src/config';
import { NATS_URL, type Consumer, type StackOptions } from './revocation-stack';

const logger = createLogger('revocation-test', process.env.TEST_LOG_LEVEL ?? 'silent');

/** message-service as main.ts builds it (revocation map started; its backbone and channel follower left out). */
export async function startMessageService(o: StackOptions, userUrl: string): Promise<Consumer> {
  const db = await createTestDatabase('message-service', messageMigrations, o.kind);
  const config = loadConfig(messageShape, {
    JWT_SECRET: testTokenSettings.secret,
    USER_SERVICE_URL: userUrl,
    CHANNEL_SERVICE_URL: 'http://channel-service.test',
    HTTP_TIMEOUT_MS: '2000',
    ...(o.transport === 'nats' ? { NATS_URL } : {}),
  });
  const clients = messageClients({
    config,
    serviceTokens: new ServiceTokenMinter(testServiceKeys('message-service')),
    logger,
    natsNamespace: o.namespace,
  });
  const { app, revocation } = createMessageApp({
    logger,
    knex: db.knex,
    tokens: testTokenSettings,
    serviceKeys: testServiceKeys('message-service'),
    settings: messageSettings(config),
    clients,
    guards: { accessLog: 'off', requestTimeoutMs: 20_000 },
  });
  revocation.start();
  return {
    name: 'message-service',
    app,
    // The caller's own private conversation: authenticates and reads, asks no other service.
    probe: (pseudo) => `/msg/private?from=${pseudo}&to=${pseudo}`,
    revocation,
    close: async () => {
      await revocation.stop();
      await clients.userEvents.close();
      clients.close();
      await db.destroy();
    },
  };
}

/**
 * The gateway as main.ts builds it, its revocation map reading the user stream. Every service
 * behind it is one stand-in answering 200, so a 401 can only come from the gateway's own check.
 */
export async function startGateway(o: StackOptions, userUrl: string): Promise<Consumer> {
  const upstream: Server = createServer((req, res) => {
    req.resume();
    res.setHeader('Content-Type', 'application/json');
    res.end('{"items":[]}');
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const standIn = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  const config = loadConfig(gatewayShape, {
    JWT_SECRET: testTokenSettings.secret,
    SERVICE_TOKEN_SECRET: testServiceSecret,
    USER_SERVICE_URL: userUrl,
    MESSAGE_SERVICE_URL: standIn,
    CHANNEL_SERVICE_URL: standIn,
    STATS_SERVICE_URL: standIn,
    ACTIVITY_FLUSH_MS: '3600000',
    ...(o.transport === 'nats' ? { NATS_URL } : {}),
  });
  const clients = gatewayClients({
    config,
    serviceTokens: new ServiceTokenMinter(testServiceKeys('gateway-service')),
    logger,
    natsNamespace: o.namespace,
  });
  const gateway = createGateway({ logger, tokens: testTokenSettings, settings: gatewaySettings(config), clients });
  gateway.revocation.start();
  return {
    name: 'gateway-service',
    app: gateway.handler,
    probe: (pseudo) => `/msg/private?from=${pseudo}&to=${pseudo}`,
    revocation: gateway.revocation,
    close: async () => {
      await gateway.shutdown();
      clients.close();
      upstream.closeAllConnections();
      await new Promise((resolve) => upstream.close(resolve));
    },
  };
}
