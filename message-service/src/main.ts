import { appBase, runService } from '@canaduck/service-kit';
import { createMessageApp } from './app';
import { createClients } from './clients';
import { configShape } from './config';
import { migrations } from './migrations';

void runService({
  name: 'message-service',
  shape: configShape,
  migrations,
  build: (ctx) => {
    const clients = createClients({
      channelServiceUrl: ctx.config.CHANNEL_SERVICE_URL,
      userServiceUrl: ctx.config.USER_SERVICE_URL,
      serviceTokens: ctx.serviceTokens,
      accessCacheMs: ctx.config.ACCESS_CACHE_MS,
      timeoutMs: ctx.config.HTTP_TIMEOUT_MS,
    });
    const { app, handler } = createMessageApp({
      ...appBase(ctx),
      clients,
      bodyLimit: ctx.config.BODY_LIMIT,
      eventGapWaitMs: ctx.config.EVENT_GAP_WAIT_MS,
      insertBatch: ctx.config.MESSAGE_INSERT_BATCH,
    });
    // Shaped requests: POST /msg and the other Express routes gain far more than GET /msg's fast path pays.
    return { app, handler, shapeRequests: true, onShutdown: [() => clients.close()] };
  },
});
