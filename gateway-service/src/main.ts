import { runService, startMetricsServer } from '@canaduck/service-kit';
import { createGateway } from './app';
import { createClients } from './clients';
import { configShape, settingsFrom } from './config';

void runService({
  name: 'gateway-service',
  shape: configShape,
  async build(ctx) {
    const settings = settingsFrom(ctx.config);
    const clients = createClients(ctx);
    const gateway = createGateway({ logger: ctx.logger, tokens: ctx.tokens, settings, clients });
    // Prometheus reads the gateway on a port of its own: the public port never answers /metrics.
    const metrics = ctx.config.METRICS_PORT ? await startMetricsServer(gateway.metrics, ctx.config.METRICS_PORT) : undefined;
    if (metrics) ctx.logger.info({ port: metrics.port }, 'metrics listening');
    gateway.revocation.start();
    // After the last request in flight: the pending activity batch still reaches user-service, then the clients close.
    return {
      app: gateway.app,
      handler: gateway.handler,
      onUpgrade: gateway.upgrade,
      onSignal: gateway.onSignal,
      onShutdown: [() => gateway.shutdown(), () => clients.close(), async () => metrics?.close()],
    };
  },
});
