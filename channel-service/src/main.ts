import { appBase, runService } from '@canaduck/service-kit';
import { createApp } from './app';
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
    const app = createApp({ ...appBase(ctx), settings, clients });
    return { app, onShutdown: [() => clients.close()] };
  },
});
