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
    const clients = createClients(ctx);
    const { app, backbone, revocation, accountDeletions } = createChannelApp({
      ...appBase(ctx),
      settings: settingsFrom(ctx.config),
      clients,
    });
    // The backbone sequences the committed events, serves them, prunes them and relays them to NATS when set.
    // Stopped in reverse: the account-deletion follower first (its transaction finishes), the backbone last.
    return { app, clients, workers: [backbone, revocation, accountDeletions] };
  },
});
