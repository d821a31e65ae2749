import { appBase, runService } from '@canaduck/service-kit';
import { createMessageApp } from './app';
import { createClients } from './clients';
import { configShape, settingsFrom } from './config';
import { migrations } from './migrations';

void runService({
  name: 'message-service',
  shape: configShape,
  migrations,
  async build(ctx) {
    const settings = settingsFrom(ctx.config);
    const clients = createClients({ config: ctx.config, serviceTokens: ctx.serviceTokens, logger: ctx.logger });
    const { app, handler, backbone, channelFollower, revocation } = createMessageApp({ ...appBase(ctx), settings, clients });
    // Sequences the committed events, serves them, prunes them and relays them to NATS when set.
    await backbone.start();
    channelFollower.start();
    revocation.start();
    // Shaped requests: POST /msg and the other Express routes gain far more than GET /msg's fast path pays.
    return {
      app,
      handler,
      shapeRequests: true,
      onShutdown: [() => channelFollower.stop(), () => revocation.stop(), () => backbone.stop(), () => clients.close()],
    };
  },
});
