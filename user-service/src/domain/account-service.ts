import { signUserToken, type AuthUser, type TokenSettings } from '@canaduck/auth';
import type { UserTokenState } from '@canaduck/contracts';
import type { Knex, Transactor } from '@canaduck/db';
import { ConflictError, ForbiddenError, NotFoundError, TooManyRequestsError, UnauthorizedError, ValidationError } from '@canaduck/errors';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { PSEUDO_PATTERN } from '@canaduck/service-kit';
import type { Settings } from '../config';
import { isUniqueViolation, type UserRepository } from '../repositories/user-repository';
import type { PasswordHasher } from './passwords';
import { isSelf, type RequestMeta, type UserDirectory } from './user-directory';
import { isoTime, type UserEvents } from './user-events';
import type { UserView } from './user-view';

export interface Registration {
  pseudo: string;
  password: string;
  email: string;
}

export interface LoginResult {
  token: string;
  expires_in: number;
  user: UserView;
}

export interface AccountServiceDeps {
  db: Transactor;
  users: UserRepository;
  directory: UserDirectory;
  hasher: PasswordHasher;
  /** Signing settings of user tokens. */
  tokens: TokenSettings;
  settings: Pick<Settings, 'jwtExpiresInSeconds'>;
  events: UserEvents;
  now: () => number;
  /** Password changes per account per window (PASSWORD_CHANGE_MAX, PASSWORD_CHANGE_WINDOW). */
  passwordChanges: RateLimiterAbstract;
}

export interface RegisterOptions {
  /** A guest of the IRC door (deleted outright when it leaves). */
  guest?: boolean;
  /** More writes that must commit with the account, or not at all (a guest's lease). */
  inTransaction?: (trx: Knex.Transaction) => Promise<void>;
}

const INVALID_CREDENTIALS = 'invalid pseudo or password';

/** Accounts: registration, login and logout, password change, deletion, the first admin. */
export class AccountService {
  constructor(private readonly deps: AccountServiceDeps) {}

  /** Creates an account. Pseudos of deleted accounts stay taken: nobody inherits someone else's history. */
  async register(input: Registration, roles: string[] = ['user'], opts: RegisterOptions = {}): Promise<UserView> {
    const { db, users, directory, hasher, events, now } = this.deps;
    await this.refuseTaken(input.pseudo, input.email);
    const passwordHash = await hasher.hash(input.password);
    try {
      await db.transaction(async (trx) => {
        await users.insert({ pseudo: input.pseudo, email: input.email, passwordHash, roles, createdAt: now(), guest: opts.guest }, trx);
        await events.emit(trx, { type: 'user.registered', data: { pseudo: input.pseudo, roles } });
        await opts.inTransaction?.(trx);
      });
    } catch (err) {
      // Two registrations raced past the check above: the unique index decides.
      if (!isUniqueViolation(err)) throw err;
      await this.refuseTaken(input.pseudo, input.email);
      throw new ConflictError('this pseudo or email is already taken', 'pseudo_taken');
    }
    return directory.view(await directory.findOr404(input.pseudo), { withEmail: true });
  }

  /**
   * Checks the password and issues a token. Unknown pseudo, deleted account and wrong
   * password give the same 401 after the same bcrypt work (no user enumeration).
   */
  async login(pseudo: string, password: string, meta: RequestMeta): Promise<LoginResult> {
    const { users, directory, hasher, settings } = this.deps;
    const user = PSEUDO_PATTERN.test(pseudo) ? await users.findByPseudo(pseudo) : undefined;
    const ok = user ? await hasher.verify(password, user.passwordHash) : await hasher.verifyNobody(password);
    if (!user || !ok) {
      directory.audit('login_failed', meta, { pseudo: pseudo.slice(0, 64), reason: user ? 'wrong_password' : 'unknown_user' });
      throw new UnauthorizedError(INVALID_CREDENTIALS, 'invalid_credentials');
    }
    const rehash = user.passwordHash && hasher.needsRehash(user.passwordHash) ? await hasher.hash(password) : undefined;
    await this.deps.db.transaction(async (trx) => {
      await users.updateFields(user.id, { status: 'online', ...(rehash ? { passwordHash: rehash } : {}) }, trx);
      await users.touch([user.pseudo], this.deps.now(), trx);
      if (user.status !== 'online')
        await this.deps.events.emit(trx, { type: 'user.status_changed', data: { pseudo: user.pseudo, status: 'online' } });
    });
    const fresh = await directory.findOr404(user.pseudo);
    await waitPastRevocation(fresh.tokensRevokedBefore);
    const token = await signUserToken({ pseudo: fresh.pseudo, roles: fresh.roles }, this.deps.tokens, settings.jwtExpiresInSeconds);
    directory.audit('login_succeeded', meta, { pseudo: fresh.pseudo });
    return { token, expires_in: settings.jwtExpiresInSeconds, user: directory.view(fresh, { withEmail: true }) };
  }

  /**
   * Revokes every token of the caller issued so far (user.logged_out carries revoked_before: every
   * service refuses them within a second) and sets the status offline.
   */
  async logout(caller: AuthUser): Promise<void> {
    const { db, users, events } = this.deps;
    const user = await this.deps.directory.callerAccount(caller);
    const at = events.revocationTime();
    await db.transaction(async (trx) => {
      await users.updateFields(user.id, { status: 'offline' }, trx);
      await users.revokeTokens(user.id, at, trx);
      await events.emit(
        trx,
        { type: 'user.logged_out', data: { pseudo: user.pseudo, revoked_before: isoTime(at) } },
        ...(user.status !== 'offline' ? [{ type: 'user.status_changed' as const, data: { pseudo: user.pseudo, status: 'offline' } }] : []),
      );
    });
  }

  async changePassword(
    caller: AuthUser,
    pseudo: string,
    change: { old_password: string; new_password: string },
    meta: RequestMeta,
  ): Promise<void> {
    const { users, directory, hasher } = this.deps;
    if (!isSelf(caller, pseudo)) throw new ForbiddenError('only the user themself may change their password', 'not_self');
    const user = await directory.callerAccount(caller);
    await this.countPasswordChange(user.pseudo, meta);
    if (!(await hasher.verify(change.old_password, user.passwordHash))) {
      directory.audit('password_change_failed', meta, { pseudo: user.pseudo, reason: 'wrong_old_password' });
      throw new UnauthorizedError('the old password is wrong', 'invalid_credentials');
    }
    if (change.old_password === change.new_password) {
      throw new ValidationError('the new password must differ from the old one', 'password_unchanged', {
        fields: [{ field: 'new_password', message: 'must differ from old_password' }],
      });
    }
    const passwordHash = await hasher.hash(change.new_password);
    const { db, events } = this.deps;
    const at = events.revocationTime();
    // The tokens issued with the old password die with it.
    await db.transaction(async (trx) => {
      await users.updateFields(user.id, { passwordHash }, trx);
      await users.revokeTokens(user.id, at, trx);
      await events.emit(trx, { type: 'user.password_changed', data: { pseudo: user.pseudo, revoked_before: isoTime(at) } });
    });
    directory.audit('password_changed', meta, { pseudo: user.pseudo });
  }

  /** Every try counts, right or wrong, before bcrypt runs: past the limit, 429 with Retry-After. */
  private async countPasswordChange(pseudo: string, meta: RequestMeta): Promise<void> {
    try {
      await this.deps.passwordChanges.consume(pseudo.toLowerCase());
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      const seconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      this.deps.directory.audit('password_change_limited', meta, { pseudo });
      throw new TooManyRequestsError(`too many password changes for this account, retry in ${seconds} s`, seconds);
    }
  }

  /** The user themself or an admin; the last admin account cannot be deleted. */
  async deleteAccount(caller: AuthUser, pseudo: string, meta: RequestMeta): Promise<void> {
    const { db, users, directory, events, now } = this.deps;
    if (isSelf(caller, pseudo)) await directory.callerAccount(caller);
    else if (caller.roles.includes('admin')) await directory.assertCurrentAdmin(caller);
    else throw new ForbiddenError('only the user themself or an admin may delete an account', 'not_self');
    const deleted = await db.transaction(async (trx) => {
      const admins = await users.lockAdminIds(trx);
      const user = await users.findByPseudo(pseudo, {}, trx);
      if (!user) return undefined;
      if (admins.includes(user.id) && admins.length <= 1) {
        throw new ConflictError('the last admin account cannot be deleted: make someone else admin first', 'last_admin');
      }
      await users.tombstone(user.id, now(), trx);
      const at = events.revocationTime();
      await users.revokeTokens(user.id, at, trx);
      await events.emit(trx, { type: 'user.deleted', data: { pseudo: user.pseudo, revoked_before: isoTime(at) } });
      return user;
    });
    if (!deleted) throw new NotFoundError('user not found', 'user_not_found');
    directory.audit('account_deleted', meta, { pseudo: deleted.pseudo, by: caller.pseudo });
  }

  /**
   * What a service whose revocation map is stale needs to judge a token: deleted, current roles and
   * the last revocation time. Deleted accounts answer too; a pseudo never registered is a 404.
   */
  async tokenState(pseudo: string): Promise<UserTokenState> {
    const user = await this.deps.users.findByPseudo(pseudo, { includeDeleted: true });
    if (!user) throw new NotFoundError('user not found', 'user_not_found');
    return {
      pseudo: user.pseudo,
      deleted: user.deletedAt !== null,
      roles: user.deletedAt !== null ? [] : user.roles,
      revoked_before: user.tokensRevokedBefore === null ? null : isoTime(user.tokensRevokedBefore),
    };
  }

  /**
   * The first admin, from ADMIN_PSEUDO / ADMIN_PASSWORD at start-up. Nothing happens when
   * the pseudo exists (even deleted): the environment never overrides an account.
   */
  async ensureFirstAdmin(admin: Registration): Promise<boolean> {
    if (await this.deps.users.findByPseudo(admin.pseudo, { includeDeleted: true })) return false;
    try {
      await this.register(admin, ['user', 'admin']);
    } catch (err) {
      // Another replica created it at the same moment: fine.
      if (err instanceof ConflictError) return false;
      throw err;
    }
    this.deps.directory.audit('admin_bootstrapped', {}, { pseudo: admin.pseudo });
    return true;
  }

  private async refuseTaken(pseudo: string, email: string): Promise<void> {
    const taken = await this.deps.users.taken(pseudo, email);
    if (taken.pseudo) throw new ConflictError('this pseudo is already taken', 'pseudo_taken');
    if (taken.email) throw new ConflictError('this email is already used by another account', 'email_taken');
  }
}

/**
 * Tokens carry iat in whole seconds and a token issued within the revocation's second counts as
 * revoked: a login right after a revocation (a role change, a password change) waits for the next
 * second, at most one, so that its new token is not born dead.
 */
async function waitPastRevocation(revokedBefore: number | null): Promise<void> {
  if (revokedBefore === null) return;
  const wait = Math.ceil(revokedBefore / 1000) * 1000 - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait + 5));
}
