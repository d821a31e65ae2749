import type { UserRecord } from '../repositories/user-repository';
import { identiconDataUri } from './identicon';
import { effectiveStatus, type UserContext } from './user-context';

/** The User object of structures.md section 4; `email` only for the user themself or an admin. */
export interface UserView {
  pseudo: string;
  email?: string;
  status: string;
  roles: string[];
  last_seen: string | null;
  avatar_url: string;
  created_at: string;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function avatarOf(user: UserRecord): string {
  return user.avatarUrl ?? identiconDataUri(user.pseudo);
}

export function userView(ctx: UserContext, user: UserRecord, opts: { withEmail: boolean }): UserView {
  return {
    pseudo: user.pseudo,
    ...(opts.withEmail ? { email: user.email } : {}),
    status: effectiveStatus(ctx, user),
    roles: user.roles,
    last_seen: iso(user.lastSeen),
    avatar_url: avatarOf(user),
    created_at: new Date(user.createdAt).toISOString(),
  };
}

export { iso };
