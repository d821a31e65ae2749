import type { AuthUser } from '@canaduck/auth';
import { callerAccount, effectiveStatus, findUserOr404, type UserContext } from './user-context';
import { avatarOf, iso } from './user-view';

export interface Whois {
  pseudo: string;
  status: string;
  roles: string[];
  channels: string[] | null;
  channels_unavailable?: true;
  last_seen: string | null;
  avatar_url: string;
}

/** Public profile; the channels come from channel-service and may be unavailable (null), never a failure. */
export async function whois(ctx: UserContext, pseudo: string, requestId?: string): Promise<Whois> {
  const user = await findUserOr404(ctx, pseudo);
  const channels = await ctx.channels.publicChannelsOf(user.pseudo, requestId);
  return {
    pseudo: user.pseudo,
    status: effectiveStatus(ctx, user),
    roles: user.roles,
    channels,
    ...(channels === null ? { channels_unavailable: true as const } : {}),
    last_seen: iso(user.lastSeen),
    avatar_url: avatarOf(user),
  };
}

export async function getAvatar(ctx: UserContext, pseudo: string): Promise<{ pseudo: string; avatar_url: string }> {
  const user = await findUserOr404(ctx, pseudo);
  return { pseudo: user.pseudo, avatar_url: avatarOf(user) };
}

/** `null` resets to the generated identicon. */
export async function setAvatar(
  ctx: UserContext,
  caller: AuthUser,
  avatarUrl: string | null,
): Promise<{ pseudo: string; avatar_url: string }> {
  const user = await callerAccount(ctx, caller);
  await ctx.repo.updateFields(user.id, { avatarUrl });
  return { pseudo: user.pseudo, avatar_url: avatarOf({ ...user, avatarUrl }) };
}
