import type { Express } from 'express';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { authenticate, withRevocation, type TokenRevocation } from '@canaduck/auth';
import { NotFoundError } from '@canaduck/errors';
import { retryingTransactor } from '@canaduck/db';
import { createTokenRevocation, EventBackbone, eventFeedRoutes, Outbox } from '@canaduck/events';
import { ApiDocs, createServiceApp, type AppBase, unknownInternalRoutes } from '@canaduck/service-kit';
import type { Clients } from './clients';
import { DEFAULT_GUEST_ORPHAN_AFTER_SECONDS, DEFAULT_LIMITS, type Settings } from './config';
import { BcryptGate } from './domain/bcrypt-gate';
import { AccountService } from './domain/account-service';
import { GuestService } from './domain/guest-service';
import { OrphanGuestSweeper } from './domain/orphan-guest-sweeper';
import { buildJwks, completeTokenSettings } from './domain/jwks';
import { PasswordHasher } from './domain/passwords';
import { PresenceService } from './domain/presence-service';
import { ProfileService } from './domain/profile-service';
import { RoleService } from './domain/role-service';
import { UserDirectory } from './domain/user-directory';
import { UserEvents } from './domain/user-events';
import { GuestLeaseRepository } from './repositories/guest-lease-repository';
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

/** The app and what main.ts also needs: the first admin at start-up, the workers to start and stop. */
export interface UserApp {
  app: Express;
  accounts: AccountService;
  /** Sequences, serves (GET /internal/events), prunes and relays the user stream. */
  backbone: EventBackbone;
  /** The revocation map of the token check, fed by the user stream. */
  revocation: TokenRevocation;
  /** Deletes the guests no door is left to remove (GUEST_ORPHAN_AFTER_S). */
  guestSweeper: OrphanGuestSweeper;
}

/** Builds the user-service: repositories -> domain -> routes. main.ts and the tests both start here. */
export function createUserApp(deps: AppDeps): UserApp {
  const now = deps.now ?? Date.now;
  const { knex, logger, settings } = deps;
  // Fails here, at start-up, when an asymmetric key is missing or unusable.
  const signing = completeTokenSettings(deps.tokens);
  const backbone = new EventBackbone({
    knex,
    service: 'user',
    logger,
    retentionMs: settings.eventRetentionMs,
    natsUrl: settings.natsUrl,
    natsNamespace: settings.natsNamespace,
  });
  const events = new UserEvents({ outbox: new Outbox({ knex, service: 'user' }), backbone });
  // MariaDB picks deadlock victims among concurrent writers (role grants, statuses, activity):
  // the domain's transactions run again then, so that contention never answers 500.
  const db = retryingTransactor(knex);
  const users = new UserRepository(knex);
  const directory = new UserDirectory({ users, settings, logger, now });
  const limits = { ...DEFAULT_LIMITS, ...definedOnly(settings) };
  const hasher = new PasswordHasher(
    settings.bcryptCost,
    new BcryptGate({ maxConcurrent: limits.bcryptMaxConcurrent, queueMax: limits.bcryptQueueMax }),
  );
  // Per account, in this process's memory: the limit bounds guesses through one stolen token.
  const passwordChanges = new RateLimiterMemory({
    keyPrefix: 'password-change',
    points: limits.passwordChangeMax,
    duration: limits.passwordChangeWindowSeconds,
  });
  const accounts = new AccountService({ db, users, directory, hasher, tokens: signing, settings, events, now, passwordChanges });
  const guests = new GuestService({
    db,
    users,
    leases: new GuestLeaseRepository(knex),
    accounts,
    directory,
    tokens: signing,
    settings,
    events,
    now,
  });
  const guestSweeper = new OrphanGuestSweeper({
    guests,
    logger,
    graceMs: (settings.guestOrphanAfterSeconds ?? DEFAULT_GUEST_ORPHAN_AFTER_SECONDS) * 1000,
  });
  const presence = new PresenceService({ db, users, directory, events, now });
  const profiles = new ProfileService({ db, users, directory, events, channels: deps.clients.channels });
  const roles = new RoleService({ db, users, directory, events, now });
  // The same map as every service, read back from this service's own stream; with the stream
  // stale, admin tokens are checked against the database (no network in between here).
  const revocation = createTokenRevocation({
    transport: deps.clients.userEvents,
    lookup: { tokenState: (pseudo) => localTokenState(accounts, pseudo) },
    logger,
  });
  const tokens = withRevocation(signing, revocation);

  const auth = authenticate(tokens);
  const docs = new ApiDocs();
  const app = createServiceApp({
    name: 'user-service',
    logger: deps.logger,
    openapi: { description: 'Accounts, authentication, presence, avatars and global roles (user, admin) of CanaDuck IRC.', docs },
    readinessInfo: () => ({ revocation: revocation.degraded ? 'stale' : 'live' }),
    // /ready checks it; its pool use becomes metrics (GET /metrics).
    knex,
    routes: (app) => {
      // Its readers are the ones INTERNAL_CALLERS names for GET /internal/events.
      app.use(eventFeedRoutes(backbone, { serviceKeys: deps.serviceKeys, docs }));
      app.use(internalRoutes({ presence, accounts, guests, serviceKeys: deps.serviceKeys, docs }));
      app.use(unknownInternalRoutes(deps.serviceKeys));
      app.use(jwksRoutes({ jwks: buildJwks(tokens), docs }));
      app.use(accountRoutes({ accounts, authenticate: auth, docs }));
      app.use(presenceRoutes({ presence, authenticate: auth, docs }));
      app.use(profileRoutes({ profiles, authenticate: auth, docs }));
      app.use(roleRoutes({ roles, authenticate: auth, docs }));
    },
  });
  return { app, accounts, backbone, revocation, guestSweeper };
}

async function localTokenState(accounts: AccountService, pseudo: string) {
  try {
    const state = await accounts.tokenState(pseudo);
    return {
      deleted: state.deleted,
      roles: state.roles,
      revokedBefore: state.revoked_before === null ? null : Date.parse(state.revoked_before),
    };
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

/** The user-service's Express app; tests call this with their own dependencies. */
export function createApp(deps: AppDeps): Express {
  return createUserApp(deps).app;
}

/** The settings without their undefined fields, so that defaults fill them. */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
