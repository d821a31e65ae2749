import { runService } from '@canaduck/service-kit';
import { createApp } from './app';
import { configShape } from './config';
import { migrations } from './migrations';

void runService({
  name: 'channel-service',
  shape: configShape,
  migrations,
  build: (ctx) => ({
    app: createApp({ logger: ctx.logger, knex: ctx.knex!, tokens: ctx.tokens, serviceSecret: ctx.serviceSecret }),
  }),
});
