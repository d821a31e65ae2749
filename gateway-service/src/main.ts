import { runService } from '@canaduck/service-kit';
import { createApp } from './app';
import { configShape } from './config';


void runService({
  name: 'gateway-service',
  shape: configShape,

  build: (ctx) => ({
    app: createApp({ logger: ctx.logger, tokens: ctx.tokens, serviceSecret: ctx.serviceSecret }),
  }),
});
