import { appBase, runService } from '@canaduck/service-kit';
import { createStatsApp } from './app';
import { createClients } from './clients';
import { configShape, settingsFrom } from './config';
import { migrations } from './migrations';

void runService({
  name: 'stats-service',
  shape: configShape,
  migrations,
  build(ctx) {
    const clients = createClients(ctx);
    const { app, poller, revocation } = createStatsApp({ ...appBase(ctx), settings: settingsFrom(ctx.config), clients });
    // Stopped in reverse: the poller first (its transaction finishes), then the revocation map, then the clients.
    return { app, clients, workers: [revocation, poller] };
  },
});
