import { runService } from '@canaduck/service-kit';
import { createRealtimeApp } from './app';
import { createClients } from './clients';
import { configShape, settingsFrom } from './config';

void runService({
  name: 'realtime-service',
  shape: configShape,
  build: (ctx) => {
    const settings = settingsFrom(ctx.config);
    const clients = createClients(ctx);
    // Its stream tickets are signed with its own service key, which its replicas share.
    const realtime = createRealtimeApp({ logger: ctx.logger, tokens: ctx.tokens, serviceKeys: ctx.serviceKeys, settings, clients });
    return {
      app: realtime.app,
      onUpgrade: realtime.upgrade,
      // SIGTERM: clients get a reconnect frame and are closed at once, so the server can drain.
      onSignal: () => realtime.shutdown(),
      workers: [realtime],
      clients,
    };
  },
});
