import type { AuthUser } from '@canaduck/auth';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '@canaduck/errors';
import { audit, type Logger } from '@canaduck/logging';
import type { Settings } from '../config';
import type { UserRecord, UserRepository } from '../repositories/user-repository';
import { avatarOf, iso, type UserView } from './user-view';

/** The fixed set of global roles. Every account has `user`; `admin` may manage accounts and roles. */
export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who asked, for audit lines: never used for decisions. */
export interface RequestMeta {
  requestId?: string;
  ip?: string;
}

export interface UserDirectoryDeps {
  users: UserRepository;
  settings: Pick<Settings, 'presenceTimeoutSeconds'>;
  logger: Logger;
  /** Epoch milliseconds; injectable so that presence timeouts are testable without sleeping. */
  now: () => number;
}

/** What every domain service asks about accounts: who is this, may they, what do others see, and the audit trail. */
export class UserDirectory {
  constructor(private readonly deps: UserDirectoryDeps) {}

  async findOr404(pseudo: string): Promise<UserRecord> {
    const user = await this.deps.users.findByPseudo(pseudo);
    if (!user) throw new NotFoundError('user not found', 'user_not_found');
    return user;
  }

  /** The caller's own live account: a token of a deleted account is no longer good for anything here. */
  async callerAccount(caller: AuthUser): Promise<UserRecord> {
    const user = await this.deps.users.findByPseudo(caller.pseudo);
    if (!user) throw new UnauthorizedError('this account no longer exists', 'account_deleted');
    return user;
  }

  /**
   * Admin rights are checked against the database too, not only the token: a
   * demoted or deleted admin is refused here at once, while other services see
   * the change when the old token expires.
   */
  async assertCurrentAdmin(caller: AuthUser): Promise<void> {
    const account = await this.callerAccount(caller);
    if (!caller.roles.includes('admin') || !account.roles.includes('admin')) {
      throw new ForbiddenError('the admin role is required', 'role_required');
    }
  }

  /** The earliest last_seen that still counts as present. */
  presentSince(): number {
    return this.deps.now() - this.deps.settings.presenceTimeoutSeconds * 1000;
  }

  /** What other people see of someone's presence: offline once not seen for PRESENCE_TIMEOUT. */
  effectiveStatus(user: UserRecord): string {
    if (user.status === 'offline' || user.lastSeen === null) return 'offline';
    return user.lastSeen >= this.presentSince() ? user.status : 'offline';
  }

  /** The User object of structures.md section 4; `email` only for the user themself or an admin. */
  view(user: UserRecord, opts: { withEmail: boolean }): UserView {
    return {
      pseudo: user.pseudo,
      ...(opts.withEmail ? { email: user.email } : {}),
      status: this.effectiveStatus(user),
      roles: user.roles,
      last_seen: iso(user.lastSeen),
      avatar_url: avatarOf(user),
      created_at: new Date(user.createdAt).toISOString(),
    };
  }

  audit(event: string, meta: RequestMeta, fields: Record<string, unknown>): void {
    audit(this.deps.logger, event, { ...fields, request_id: meta.requestId, ip: meta.ip });
  }
}

export function isSelf(caller: AuthUser, pseudo: string): boolean {
  return caller.pseudo.toLowerCase() === pseudo.toLowerCase();
}
