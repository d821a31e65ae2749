import { appBase, runService } from '@canaduck/service-kit';
import { createChannelApp } from './app';
import { createClients } from './clients';
import { configShape, settingsFrom } from './config';
import { migrations } from './migrations';

void runService({
  name: 'channel-service',
  shape: configShape,
  migrations,
  async build(ctx) {
    const settings = settingsFrom(ctx.config);
    const clients = createClients({ config: ctx.config, serviceTokens: ctx.serviceTokens, logger: ctx.logger });
    const { app, backbone, revocation } = createChannelApp({ ...appBase(ctx), settings, clients });
    // Sequences the committed events, serves them, prunes them and relays them to NATS when set.
    await backbone.start();
    revocation.start();
    return { app, onShutdown: [() => revocation.stop(), () => backbone.stop(), () => clients.close()] };
  },
});
