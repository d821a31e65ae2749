import { runService } from '@canaduck/service-kit';
import { createIrcApp } from './app';
import { createClients } from './clients';
import { configShape, settingsFrom } from './config';

void runService({
  name: 'irc-service',
  shape: configShape,
  build: async (ctx) => {
    const settings = settingsFrom(ctx.config);
    const clients = createClients({ config: ctx.config, settings, serviceTokens: ctx.serviceTokens, logger: ctx.logger });
    const irc = createIrcApp({ logger: ctx.logger, settings, clients });
    await irc.start();
    // On SIGTERM: clients get a NOTICE and ERROR and are closed, then the HTTP clients stop.
    return { app: irc.app, onShutdown: [() => irc.stop('Server shutting down'), () => clients.close()] };
  },
});
