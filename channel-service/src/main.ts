import { appBase, runService } from '@canaduck/service-kit';
import { createChannelApp } from './app';
import { createClients } from './clients';
import { configShape, settingsFrom } from './config';
import { migrations } from './migrations';

void runService({
  name: 'channel-service',
  shape: configShape,
  migrations,
  build(ctx) {
    const settings = settingsFrom(ctx.config);
    const clients = createClients({ config: ctx.config, serviceTokens: ctx.serviceTokens, logger: ctx.logger });
    const { app, revocation } = createChannelApp({ ...appBase(ctx), settings, clients });
    revocation.start();
    return { app, onShutdown: [() => revocation.stop(), () => clients.close()] };
  },
});
