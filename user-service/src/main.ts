import { appBase, runService, type ServiceContext } from '@canaduck/service-kit';
import { createUserApp } from './app';
import { createClients } from './clients';
import { configShape, settingsFrom, type UserServiceConfig } from './config';
import type { AccountService } from './domain/account-service';
import { migrations } from './migrations';

/** ADMIN_PSEUDO and ADMIN_PASSWORD create the first admin, once, when neither the pseudo nor the email exists. */
async function seedFirstAdmin(ctx: ServiceContext<UserServiceConfig>, accounts: AccountService): Promise<void> {
  const { ADMIN_PSEUDO, ADMIN_PASSWORD, ADMIN_EMAIL } = ctx.config;
  if (ADMIN_PSEUDO && ADMIN_PASSWORD) {
    const admin = { pseudo: ADMIN_PSEUDO, password: ADMIN_PASSWORD, email: ADMIN_EMAIL ?? `${ADMIN_PSEUDO.toLowerCase()}@localhost` };
    const created = await accounts.ensureFirstAdmin(admin);
    ctx.logger.info({ pseudo: ADMIN_PSEUDO }, created ? 'first admin created' : 'first admin not created: the pseudo or email exists');
  } else if (ADMIN_PSEUDO || ADMIN_PASSWORD) {
    ctx.logger.warn('ADMIN_PSEUDO and ADMIN_PASSWORD must both be set to create the first admin');
  }
}

void runService({
  name: 'user-service',
  shape: configShape,
  migrations,
  build: async (ctx) => {
    const clients = createClients(ctx);
    const { app, accounts, backbone, revocation, guestSweeper } = createUserApp({
      ...appBase(ctx),
      settings: settingsFrom(ctx.config),
      clients,
    });
    await seedFirstAdmin(ctx, accounts);
    // Stopped in reverse: the guest sweep first (its transaction finishes), then the stream's readers.
    return { app, clients, workers: [backbone, revocation, guestSweeper] };
  },
});
