import { appBase, runService } from '@canaduck/service-kit';
import { createStatsApp } from './app';
import { createClients } from './clients';
import { configShape, settingsFrom } from './config';
import { migrations } from './migrations';

void runService({
  name: 'stats-service',
  shape: configShape,
  migrations,
  async build(ctx) {
    const settings = settingsFrom(ctx.config);
    const clients = createClients({ config: ctx.config, serviceTokens: ctx.serviceTokens, logger: ctx.logger });
    const { app, poller, revocation } = createStatsApp({ ...appBase(ctx), settings, clients });
    await poller.start();
    revocation.start();
    // The poller stops first (its transaction finishes), then the clients; runService closes the database last.
    return { app, onShutdown: [() => poller.stop(), () => revocation.stop(), () => clients.close()] };
  },
});
