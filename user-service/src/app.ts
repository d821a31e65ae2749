import type { Express } from 'express';
import { authenticate } from '@canaduck/auth';
import { pingDatabase } from '@canaduck/db';
import { ApiDocs, createServiceApp, type AppBase } from '@canaduck/service-kit';
import type { Clients } from './clients';
import type { Settings } from './config';
import { AccountService } from './domain/account-service';
import { buildJwks, completeTokenSettings } from './domain/jwks';
import { PasswordHasher } from './domain/passwords';
import { PresenceService } from './domain/presence-service';
import { ProfileService } from './domain/profile-service';
import { RoleService } from './domain/role-service';
import { UserDirectory } from './domain/user-directory';
import { UserRepository } from './repositories/user-repository';
import { accountRoutes } from './routes/account-routes';
import { internalRoutes } from './routes/internal-routes';
import { jwksRoutes } from './routes/jwks-routes';
import { presenceRoutes } from './routes/presence-routes';
import { profileRoutes } from './routes/profile-routes';
import { roleRoutes } from './routes/role-routes';

export interface AppDeps extends AppBase {
  settings: Settings;
  clients: Clients;
  /** Epoch milliseconds (tests move time to check presence timeouts). */
  now?: () => number;
}

/** The app and the account service, which main.ts also needs (the first admin at start-up). */
export interface UserApp {
  app: Express;
  accounts: AccountService;
}

/** Builds the user-service: repositories -> domain -> routes. main.ts and the tests both start here. */
export function createUserApp(deps: AppDeps): UserApp {
  const now = deps.now ?? Date.now;
  // Fails here, at start-up, when an asymmetric key is missing or unusable.
  const tokens = completeTokenSettings(deps.tokens);
  const users = new UserRepository(deps.knex);
  const directory = new UserDirectory({ users, settings: deps.settings, logger: deps.logger, now });
  const hasher = new PasswordHasher(deps.settings.bcryptCost);
  const accounts = new AccountService({ db: deps.knex, users, directory, hasher, tokens, settings: deps.settings, now });
  const presence = new PresenceService({ users, directory, now });
  const profiles = new ProfileService({ users, directory, channels: deps.clients.channels });
  const roles = new RoleService({ db: deps.knex, users, directory, now });

  const auth = authenticate(tokens);
  const docs = new ApiDocs();
  const app = createServiceApp({
    name: 'user-service',
    logger: deps.logger,
    openapi: {
      title: 'CanaDuck IRC user-service',
      description: 'Accounts, authentication, presence, avatars and global roles (user, admin) of CanaDuck IRC.',
      docs,
    },
    readiness: { database: () => pingDatabase(deps.knex) },
    routes: (app) => {
      app.use(internalRoutes({ presence, accounts, serviceSecret: deps.serviceSecret, docs }));
      app.use(jwksRoutes({ jwks: buildJwks(tokens), docs }));
      app.use(accountRoutes({ accounts, authenticate: auth, docs }));
      app.use(presenceRoutes({ presence, authenticate: auth, docs }));
      app.use(profileRoutes({ profiles, authenticate: auth, docs }));
      app.use(roleRoutes({ roles, authenticate: auth, docs }));
    },
  });
  return { app, accounts };
}

/** The user-service's Express app; tests call this with their own dependencies. */
export function createApp(deps: AppDeps): Express {
  return createUserApp(deps).app;
}
