import type { AuthUser } from '@canaduck/auth';
import type { DomainDeps, Knex } from '@canaduck/db';
import { ConflictError, NotFoundError, ValidationError } from '@canaduck/errors';
import type { UserRepository } from '../repositories/user-repository';
import type { RequestMeta, Role, UserDirectory } from './user-directory';
import { isoTime, type UserEvents } from './user-events';

export interface RolesView {
  pseudo: string;
  roles: string[];
}

export interface RoleServiceDeps extends DomainDeps {
  users: UserRepository;
  directory: UserDirectory;
  events: UserEvents;
}

/** Global roles, from the fixed set `user`, `admin`. */
export class RoleService {
  constructor(private readonly deps: RoleServiceDeps) {}

  async getRoles(pseudo: string): Promise<RolesView> {
    const user = await this.deps.directory.findOr404(pseudo);
    return { pseudo: user.pseudo, roles: user.roles };
  }

  /** Grants a role (admins only). `added` is false when the user already had it. */
  async grantRole(caller: AuthUser, pseudo: string, role: Role, meta: RequestMeta): Promise<RolesView & { added: boolean }> {
    const { db, users, directory } = this.deps;
    await directory.assertCurrentAdmin(caller);
    const user = await directory.findOr404(pseudo);
    const result = await db.transaction(async (trx) => {
      const added = await users.addRole(user.id, role, this.deps.now(), trx);
      const roles = await users.rolesOf(user.id, trx);
      if (added) await this.rolesChanged(trx, user.id, user.pseudo, roles);
      return { pseudo: user.pseudo, roles, added };
    });
    if (result.added) directory.audit('role_granted', meta, { pseudo: user.pseudo, role, by: caller.pseudo });
    return result;
  }

  /**
   * Removes a role (admins only). `user` is every account's base role and stays;
   * the last admin keeps `admin` so that the service is never left without one.
   */
  async revokeRole(caller: AuthUser, pseudo: string, role: Role, meta: RequestMeta): Promise<RolesView> {
    const { db, users, directory } = this.deps;
    await directory.assertCurrentAdmin(caller);
    if (role === 'user') throw new ValidationError('the user role is the base role of every account and cannot be removed', 'base_role');
    const result = await db.transaction(async (trx) => {
      const admins = await users.lockAdminIds(trx);
      const user = await users.findByPseudo(pseudo, {}, trx);
      if (!user) throw new NotFoundError('user not found', 'user_not_found');
      if (!user.roles.includes(role)) throw new NotFoundError(`${user.pseudo} does not have the ${role} role`, 'role_not_held');
      if (role === 'admin' && admins.length <= 1) {
        throw new ConflictError('the last admin cannot lose the admin role: make someone else admin first', 'last_admin');
      }
      await users.removeRole(user.id, role, trx);
      const roles = await users.rolesOf(user.id, trx);
      await this.rolesChanged(trx, user.id, user.pseudo, roles);
      return { pseudo: user.pseudo, roles };
    });
    directory.audit('role_revoked', meta, { pseudo: result.pseudo, role, by: caller.pseudo });
    return result;
  }

  /** A role change revokes the tokens issued before it: roles are copied into tokens, the user logs in again. */
  private async rolesChanged(trx: Knex.Transaction, userId: number, pseudo: string, roles: string[]): Promise<void> {
    const at = this.deps.events.revocationTime();
    await this.deps.users.revokeTokens(userId, at, trx);
    await this.deps.events.emit(trx, { type: 'user.roles_changed', data: { pseudo, roles, revoked_before: isoTime(at) } });
  }
}
