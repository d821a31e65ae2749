import { runService } from '@canaduck/service-kit';
import { createGateway } from './app';
import { createClients } from './clients';
import { configShape, settingsFrom } from './config';

void runService({
  name: 'gateway-service',
  shape: configShape,
  build(ctx) {
    const settings = settingsFrom(ctx.config);
    const clients = createClients({ config: ctx.config, serviceTokens: ctx.serviceTokens, logger: ctx.logger });
    const gateway = createGateway({ logger: ctx.logger, tokens: ctx.tokens, settings, clients });
    gateway.revocation.start();
    // After the last request in flight: the pending activity batch still reaches user-service, then the clients close.
    return { app: gateway.app, handler: gateway.handler, onShutdown: [() => gateway.shutdown(), () => clients.close()] };
  },
});
