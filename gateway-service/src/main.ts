import { runService, startMetricsServer } from '@canaduck/service-kit';
import { createGateway } from './app';
import { configShape } from './config';

void runService({
  name: 'gateway-service',
  shape: configShape,
  build: async (ctx) => {
    const gateway = createGateway({ logger: ctx.logger, tokens: ctx.tokens, config: ctx.config, serviceTokens: ctx.serviceTokens });
    // Prometheus reads the gateway on a port of its own: the public port never answers /metrics.
    const metrics = ctx.config.METRICS_PORT ? await startMetricsServer(gateway.metrics, ctx.config.METRICS_PORT) : undefined;
    if (metrics) ctx.logger.info({ port: metrics.port }, 'metrics listening');
    // After the last request in flight: the pending activity batch still reaches user-service.
    return { app: gateway.app, handler: gateway.handler, onShutdown: [() => gateway.shutdown(), async () => metrics?.close()] };
  },
});
