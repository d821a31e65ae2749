import { signUserToken, type AuthUser } from '@canaduck/auth';
import { ConflictError, ForbiddenError, NotFoundError, UnauthorizedError, ValidationError } from '@canaduck/errors';
import { PSEUDO_PATTERN } from '@canaduck/service-kit';
import { isUniqueViolation } from '../repositories/user-repository';
import { assertCurrentAdmin, auditEvent, callerAccount, findUserOr404, isSelf, type RequestMeta, type UserContext } from './user-context';
import { userView, type UserView } from './user-view';

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

const INVALID_CREDENTIALS = 'invalid pseudo or password';

async function refuseTaken(ctx: UserContext, pseudo: string, email: string): Promise<void> {
  const taken = await ctx.repo.taken(pseudo, email);
  if (taken.pseudo) throw new ConflictError('this pseudo is already taken', 'pseudo_taken');
  if (taken.email) throw new ConflictError('this email is already used by another account', 'email_taken');
}

/** Creates an account. Pseudos of deleted accounts stay taken: nobody inherits someone else's history. */
export async function register(ctx: UserContext, input: Registration, roles: string[] = ['user']): Promise<UserView> {
  await refuseTaken(ctx, input.pseudo, input.email);
  const passwordHash = await ctx.hasher.hash(input.password);
  try {
    await ctx.repo.insert({ pseudo: input.pseudo, email: input.email, passwordHash, roles, createdAt: ctx.now() });
  } catch (err) {
    // Two registrations raced past the check above: the unique index decides.
    if (!isUniqueViolation(err)) throw err;
    await refuseTaken(ctx, input.pseudo, input.email);
    throw new ConflictError('this pseudo or email is already taken', 'pseudo_taken');
  }
  const user = await findUserOr404(ctx, input.pseudo);
  return userView(ctx, user, { withEmail: true });
}

/**
 * Checks the password and issues a token. Unknown pseudo, deleted account and wrong
 * password give the same 401 after the same bcrypt work (no user enumeration).
 */
export async function login(ctx: UserContext, pseudo: string, password: string, meta: RequestMeta): Promise<LoginResult> {
  const user = PSEUDO_PATTERN.test(pseudo) ? await ctx.repo.findByPseudo(pseudo) : undefined;
  const ok = user ? await ctx.hasher.verify(password, user.passwordHash) : await ctx.hasher.verifyNobody(password);
  if (!user || !ok) {
    auditEvent(ctx, 'login_failed', meta, { pseudo: pseudo.slice(0, 64), reason: user ? 'wrong_password' : 'unknown_user' });
    throw new UnauthorizedError(INVALID_CREDENTIALS, 'invalid_credentials');
  }
  const now = ctx.now();
  const rehash = user.passwordHash && ctx.hasher.needsRehash(user.passwordHash) ? await ctx.hasher.hash(password) : undefined;
  await ctx.repo.updateFields(user.id, { status: 'online', ...(rehash ? { passwordHash: rehash } : {}) });
  await ctx.repo.touch([user.pseudo], now);
  const fresh = await findUserOr404(ctx, user.pseudo);
  const token = signUserToken({ pseudo: fresh.pseudo, roles: fresh.roles }, ctx.tokens, ctx.settings.jwtExpiresInSeconds);
  auditEvent(ctx, 'login_succeeded', meta, { pseudo: fresh.pseudo });
  return { token, expires_in: ctx.settings.jwtExpiresInSeconds, user: userView(ctx, fresh, { withEmail: true }) };
}

/** The token stays valid until it expires (tokens are stateless); the user just stops being online. */
export async function logout(ctx: UserContext, caller: AuthUser): Promise<void> {
  const user = await callerAccount(ctx, caller);
  await ctx.repo.updateFields(user.id, { status: 'offline' });
}

export async function changePassword(
  ctx: UserContext,
  caller: AuthUser,
  pseudo: string,
  change: { old_password: string; new_password: string },
  meta: RequestMeta,
): Promise<void> {
  if (!isSelf(caller, pseudo)) throw new ForbiddenError('only the user themself may change their password', 'not_self');
  const user = await callerAccount(ctx, caller);
  if (!(await ctx.hasher.verify(change.old_password, user.passwordHash))) {
    auditEvent(ctx, 'password_change_failed', meta, { pseudo: user.pseudo, reason: 'wrong_old_password' });
    throw new UnauthorizedError('the old password is wrong', 'invalid_credentials');
  }
  if (change.old_password === change.new_password) {
    throw new ValidationError('the new password must differ from the old one', 'password_unchanged', {
      fields: [{ field: 'new_password', message: 'must differ from old_password' }],
    });
  }
  await ctx.repo.updateFields(user.id, { passwordHash: await ctx.hasher.hash(change.new_password) });
  auditEvent(ctx, 'password_changed', meta, { pseudo: user.pseudo });
}

/** The user themself or an admin; the last admin account cannot be deleted. */
export async function deleteAccount(ctx: UserContext, caller: AuthUser, pseudo: string, meta: RequestMeta): Promise<void> {
  if (isSelf(caller, pseudo)) await callerAccount(ctx, caller);
  else if (caller.roles.includes('admin')) await assertCurrentAdmin(ctx, caller);
  else throw new ForbiddenError('only the user themself or an admin may delete an account', 'not_self');
  const deleted = await ctx.repo.transaction(async (repo) => {
    const admins = await repo.lockAdminIds();
    const user = await repo.findByPseudo(pseudo);
    if (!user) return undefined;
    if (admins.includes(user.id) && admins.length <= 1) {
      throw new ConflictError('the last admin account cannot be deleted: make someone else admin first', 'last_admin');
    }
    await repo.tombstone(user.id, ctx.now());
    return user;
  });
  if (!deleted) throw new NotFoundError('user not found', 'user_not_found');
  auditEvent(ctx, 'account_deleted', meta, { pseudo: deleted.pseudo, by: caller.pseudo });
}

/**
 * The first admin, from ADMIN_PSEUDO / ADMIN_PASSWORD at start-up. Nothing happens when
 * the pseudo exists (even deleted): the environment never overrides an account.
 */
export async function ensureFirstAdmin(ctx: UserContext, admin: { pseudo: string; password: string; email: string }): Promise<boolean> {
  if (await ctx.repo.findByPseudo(admin.pseudo, { includeDeleted: true })) return false;
  try {
    await register(ctx, admin, ['user', 'admin']);
  } catch (err) {
    // Another replica created it at the same moment: fine.
    if (err instanceof ConflictError) return false;
    throw err;
  }
  auditEvent(ctx, 'admin_bootstrapped', {}, { pseudo: admin.pseudo });
  return true;
}
