import { runService } from '@canaduck/service-kit';
import { createGateway } from './app';
import { configShape } from './config';

void runService({
  name: 'gateway-service',
  shape: configShape,
  build: (ctx) => {
    const gateway = createGateway({ logger: ctx.logger, tokens: ctx.tokens, config: ctx.config, serviceTokens: ctx.serviceTokens });
    // After the last request in flight: the pending activity batch still reaches user-service.
    return { app: gateway.app, handler: gateway.handler, onShutdown: [() => gateway.shutdown()] };
  },
});
