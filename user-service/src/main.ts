import { appBase, runService } from '@canaduck/service-kit';
import { createUserService } from './app';
import { configShape, settingsFrom } from './config';
import { ensureFirstAdmin } from './domain/account-service';
import { migrations } from './migrations';

void runService({
  name: 'user-service',
  shape: configShape,
  migrations,
  build: async (ctx) => {
    const service = createUserService({
      ...appBase(ctx),
      serviceTokens: ctx.serviceTokens,
      settings: settingsFrom(ctx.config),
    });
    const { ADMIN_PSEUDO, ADMIN_PASSWORD, ADMIN_EMAIL } = ctx.config;
    if (ADMIN_PSEUDO && ADMIN_PASSWORD) {
      const admin = { pseudo: ADMIN_PSEUDO, password: ADMIN_PASSWORD, email: ADMIN_EMAIL ?? `${ADMIN_PSEUDO.toLowerCase()}@localhost` };
      const created = await ensureFirstAdmin(service.ctx, admin);
      ctx.logger.info({ pseudo: ADMIN_PSEUDO }, created ? 'first admin created' : 'first admin not created: the pseudo or email exists');
    } else if (ADMIN_PSEUDO || ADMIN_PASSWORD) {
      ctx.logger.warn('ADMIN_PSEUDO and ADMIN_PASSWORD must both be set to create the first admin');
    }
    return { app: service.app, onShutdown: [() => service.close()] };
  },
});
