import { appBase, runService } from '@canaduck/service-kit';
import { createUserApp } from './app';
import { createClients } from './clients';
import { configShape, settingsFrom } from './config';
import { migrations } from './migrations';

void runService({
  name: 'user-service',
  shape: configShape,
  migrations,
  build: async (ctx) => {
    const settings = settingsFrom(ctx.config);
    const clients = createClients({ config: ctx.config, serviceTokens: ctx.serviceTokens, logger: ctx.logger });
    const { app, accounts, backbone, revocation } = createUserApp({ ...appBase(ctx), settings, clients });
    await backbone.start();
    revocation.start();
    const { ADMIN_PSEUDO, ADMIN_PASSWORD, ADMIN_EMAIL } = ctx.config;
    if (ADMIN_PSEUDO && ADMIN_PASSWORD) {
      const admin = { pseudo: ADMIN_PSEUDO, password: ADMIN_PASSWORD, email: ADMIN_EMAIL ?? `${ADMIN_PSEUDO.toLowerCase()}@localhost` };
      const created = await accounts.ensureFirstAdmin(admin);
      ctx.logger.info({ pseudo: ADMIN_PSEUDO }, created ? 'first admin created' : 'first admin not created: the pseudo or email exists');
    } else if (ADMIN_PSEUDO || ADMIN_PASSWORD) {
      ctx.logger.warn('ADMIN_PSEUDO and ADMIN_PASSWORD must both be set to create the first admin');
    }
    // Workers stop before the clients; runService closes the database last.
    return { app, onShutdown: [() => revocation.stop(), () => backbone.stop(), () => clients.close()] };
  },
});
