import type { UserRecord } from '../repositories/user-repository';
import { identiconDataUri } from './identicon';

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

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function avatarOf(user: UserRecord): string {
  return user.avatarUrl ?? identiconDataUri(user.pseudo);
}
