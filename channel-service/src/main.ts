import { ServiceClient } from '@canaduck/http-client';
import { appBase, runService } from '@canaduck/service-kit';
import { createApp } from './app';
import { configShape } from './config';
import { migrations } from './migrations';

void runService({
  name: 'channel-service',
  shape: configShape,
  migrations,
  build: (ctx) => {
    const userService = new ServiceClient({
      name: 'user-service',
      baseUrl: ctx.config.USER_SERVICE_URL,
      timeoutMs: ctx.config.HTTP_TIMEOUT_MS,
      serviceAuth: () => `Bearer ${ctx.serviceTokens.get()}`,
    });
    return {
      app: createApp({
        ...appBase(ctx),
        userService,
        bodyLimit: ctx.config.BODY_LIMIT,
      }),
      onShutdown: [() => userService.close()],
    };
  },
});
