import type { AuthUser } from '@canaduck/auth';
import { ConflictError, NotFoundError, ValidationError } from '@canaduck/errors';
import { assertCurrentAdmin, auditEvent, findUserOr404, type RequestMeta, type Role, type UserContext } from './user-context';

export interface RolesView {
  pseudo: string;
  roles: string[];
}

export async function getRoles(ctx: UserContext, pseudo: string): Promise<RolesView> {
  const user = await findUserOr404(ctx, pseudo);
  return { pseudo: user.pseudo, roles: user.roles };
}

/** Grants a role (admins only). `added` is false when the user already had it. */
export async function grantRole(
  ctx: UserContext,
  caller: AuthUser,
  pseudo: string,
  role: Role,
  meta: RequestMeta,
): Promise<RolesView & { added: boolean }> {
  await assertCurrentAdmin(ctx, caller);
  const user = await findUserOr404(ctx, pseudo);
  const added = await ctx.repo.addRole(user.id, role, ctx.now());
  if (added) auditEvent(ctx, 'role_granted', meta, { pseudo: user.pseudo, role, by: caller.pseudo });
  return { pseudo: user.pseudo, roles: await ctx.repo.rolesOf(user.id), added };
}

/**
 * Removes a role (admins only). `user` is every account's base role and stays;
 * the last admin keeps `admin` so that the service is never left without one.
 */
export async function revokeRole(ctx: UserContext, caller: AuthUser, pseudo: string, role: Role, meta: RequestMeta): Promise<RolesView> {
  await assertCurrentAdmin(ctx, caller);
  if (role === 'user') throw new ValidationError('the user role is the base role of every account and cannot be removed', 'base_role');
  const result = await ctx.repo.transaction(async (repo) => {
    const admins = await repo.lockAdminIds();
    const user = await repo.findByPseudo(pseudo);
    if (!user) throw new NotFoundError('user not found', 'user_not_found');
    if (!user.roles.includes(role)) throw new NotFoundError(`${user.pseudo} does not have the ${role} role`, 'role_not_held');
    if (role === 'admin' && admins.length <= 1) {
      throw new ConflictError('the last admin cannot lose the admin role: make someone else admin first', 'last_admin');
    }
    await repo.removeRole(user.id, role);
    return { pseudo: user.pseudo, roles: await repo.rolesOf(user.id) };
  });
  auditEvent(ctx, 'role_revoked', meta, { pseudo: result.pseudo, role, by: caller.pseudo });
  return result;
}
