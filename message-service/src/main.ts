import { appBase, runService } from '@canaduck/service-kit';
import { createMessageApp } from './app';
import { createClients } from './clients';
import { configShape, settingsFrom } from './config';
import { migrations } from './migrations';

void runService({
  name: 'message-service',
  shape: configShape,
  migrations,
  build(ctx) {
    const clients = createClients(ctx);
    const message = createMessageApp({ ...appBase(ctx), settings: settingsFrom(ctx.config), clients });
    // The backbone sequences the committed events, serves them, prunes them and relays them to NATS when set.
    const workers = [message.backbone, message.revocation, message.channelFollower];
    // Shaped requests: POST /msg and the other Express routes gain far more than GET /msg's fast path pays.
    return { app: message.app, handler: message.handler, shapeRequests: true, clients, workers };
  },
});
