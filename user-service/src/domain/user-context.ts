import type { AuthUser, TokenSettings } from '@canaduck/auth';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '@canaduck/errors';
import { audit, type Logger } from '@canaduck/logging';
import type { ChannelClient } from '../clients/channel-client';
import type { UserRecord, UserRepository } from '../repositories/user-repository';
import type { PasswordHasher } from './passwords';

/** The service's tunables, read from the environment by main.ts (tests pass their own). */
export interface UserSettings {
  jwtExpiresInSeconds: number;
  bcryptCost: number;
  presenceTimeoutSeconds: number;
  whoisChannelsTimeoutMs: number;
  channelServiceUrl: string;
}

/** Who asked, for audit lines: never used for decisions. */
export interface RequestMeta {
  requestId?: string;
  ip?: string;
}

/** Everything the domain functions need; built once per app. */
export interface UserContext {
  repo: UserRepository;
  hasher: PasswordHasher;
  settings: UserSettings;
  /** Signing (and verifying) settings of user tokens. */
  tokens: TokenSettings;
  logger: Logger;
  channels: ChannelClient;
  /** Epoch milliseconds; injectable so that presence timeouts are testable without sleeping. */
  now: () => number;
}

/** The fixed set of global roles. Every account has `user`; `admin` may manage accounts and roles. */
export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function auditEvent(ctx: UserContext, event: string, meta: RequestMeta, fields: Record<string, unknown>): void {
  audit(ctx.logger, event, { ...fields, request_id: meta.requestId, ip: meta.ip });
}

export async function findUserOr404(ctx: UserContext, pseudo: string): Promise<UserRecord> {
  const user = await ctx.repo.findByPseudo(pseudo);
  if (!user) throw new NotFoundError('user not found', 'user_not_found');
  return user;
}

/** The caller's own live account: a token of a deleted account is no longer good for anything here. */
export async function callerAccount(ctx: UserContext, caller: AuthUser): Promise<UserRecord> {
  const user = await ctx.repo.findByPseudo(caller.pseudo);
  if (!user) throw new UnauthorizedError('this account no longer exists', 'account_deleted');
  return user;
}

export function isSelf(caller: AuthUser, pseudo: string): boolean {
  return caller.pseudo.toLowerCase() === pseudo.toLowerCase();
}

/**
 * Admin rights are checked against the database too, not only the token: a
 * demoted or deleted admin is refused here at once, while other services see
 * the change when the old token expires.
 */
export async function assertCurrentAdmin(ctx: UserContext, caller: AuthUser): Promise<void> {
  const account = await callerAccount(ctx, caller);
  if (!caller.roles.includes('admin') || !account.roles.includes('admin')) {
    throw new ForbiddenError('the admin role is required', 'role_required');
  }
}

/** What other people see of someone's presence: offline once not seen for PRESENCE_TIMEOUT. */
export function effectiveStatus(ctx: UserContext, user: UserRecord): string {
  if (user.status === 'offline' || user.lastSeen === null) return 'offline';
  return user.lastSeen >= ctx.now() - ctx.settings.presenceTimeoutSeconds * 1000 ? user.status : 'offline';
}
